"""Running an instance: health checks, backups and restores, generated volume for benchmarks."""
