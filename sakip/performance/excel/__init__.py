"""Excel: the realisation template and its upload, and the finished measurement as a spreadsheet."""
