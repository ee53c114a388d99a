"""What the Excel files look like, and how much an upload may hold: shared by the writer and the reader."""

from __future__ import annotations

from sakip.performance.models import RESULT_TEXT_MAX_LENGTH

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The sheets follow the office's form for the Pengukuran Kinerja, so their names and column headings
# are the form's own words, like the office's other texts, whatever language the page is shown in.
# The template's headings are also what an upload is checked against: a template downloaded with
# the page in English must still be accepted when uploaded with the page in Indonesian.
REALISATION_SHEET = "Realisasi"
REALISATION_HEADER = (
    "No",
    "Kode",
    "Sasaran Strategis",
    "Indikator Kinerja",
    "Satuan",
    "Target",
    "Realisasi",
    "Faktor Pendukung",
    "Faktor Penghambat",
)
BUDGET_SHEET = "Anggaran"
BUDGET_HEADER = ("No", "Kode", "Program", "Pagu", "Realisasi Anggaran")
EXPORT_SHEET = "Pengukuran Kinerja"
EXPORT_HEADER = (
    "No",
    "Sasaran Strategis",
    "Indikator Kinerja",
    "Satuan",
    "Target",
    "Realisasi",
    "% Capaian",
    "Predikat",
)
EXPORT_BUDGET_HEADER = ("No", "Program", "Pagu", "Realisasi", "% Serapan")
TOTAL_LABEL = "Jumlah"

# Row 1 names the document, row 2 says what to do, row 3 holds the headings, the data follows.
HEADER_ROW = 3
FIRST_DATA_ROW = HEADER_ROW + 1

# Column positions in the template (1-based, as Excel counts).
KODE, REALISATION, HELPED, HELD_BACK = 2, 7, 8, 9
BUDGET_KODE, BUDGET_REALISED = 2, 5

# "#,##0.####" would leave a dangling decimal separator on whole numbers ("1.160,"), so a whole
# number gets "#,##0" and one with decimals shows them all (at most 4, as stored).
WHOLE_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0###"
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "#,##0.00"

# Excel computes with 15 significant digits; a cell's binary double is read back to that many,
# so a cell showing 0,3 is 0,3 and not 0,30000000000000004.
EXCEL_DIGITS = 15
# The longest text Excel lets a cell hold; a longer one was not made by Excel.
EXCEL_CELL_CHARS = 32_767
# "Faktor pendukung / penghambat" are kept to the length the measurement stores.
TEXT_MAX_LENGTH = RESULT_TEXT_MAX_LENGTH

# ---------------------------------------------------------------------------------------------
# What an upload may be. A filled template is a few kilobytes: two sheets of a few dozen rows, a
# few hundred texts, a dozen cell formats. Every limit below is far above that and far below what
# would cost the worker real memory or time; each is checked while the file is read, before the
# thing it bounds is held (bench/excel_bombs.py measures the crafted files that test them).

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What the archive says it unpacks to, all parts together: refused before anything is unpacked.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# What one XML part may unpack to, as declared and as actually streamed out of the archive.
MAX_PART_BYTES = 16 * 1024 * 1024
MAX_MEMBERS = 1000
# The archive's table of contents, read whole by zipfile: about 100 bytes per member.
MAX_DIRECTORY_BYTES = 256 * 1024
MAX_DATA_ROWS = 5000
MAX_CELLS = 100_000  # per sheet, empty formatted cells included
MAX_SHARED_STRINGS = 100_000
MAX_CELL_FORMATS = 64_000  # Excel's own limit on cell formats in a workbook
MAX_NUMBER_FORMATS = 1000
MAX_CONTENT_TYPES = 1000
# Elements per part, whatever they are: what bounds the time a part takes (about 1 µs each).
MAX_ELEMENTS = 250_000  # a sheet, the styles, the shared strings
MAX_LIST_ELEMENTS = 20_000  # the parts that list the others: content types, relationships, the workbook
MAX_DEPTH = 64  # elements inside each other; a sheet needs 7
# Bytes from one "<" to the next: a start tag and the text after it. Bounds what the XML parser
# must hold at once (a tag with a million attributes is built whole); text runs up to a full
# Excel cell (32 767 characters, each up to 4 bytes and "&amp;" 5) fit.
MAX_MARKUP_RUN = 256 * 1024
# The memory the texts kept while reading may take, as Python holds them.
MAX_TEXT_BYTES = 24 * 1024 * 1024

MAX_MESSAGES = 50
