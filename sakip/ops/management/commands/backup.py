"""Write one dated archive of this instance: a consistent copy of the database, the media files, their SHA-256."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sakip.ops.backup import BackupError, backup_create, describe


class Command(BaseCommand):
    help = (
        "Write sakip-backup-YYYYMMDD-HHMMSS.tar.gz: a consistent copy of the database (SQLite: its online "
        "backup API; PostgreSQL: pg_dump -Fc), safe while the server runs, every media file, and a manifest "
        "with the SHA-256 of each and the migration state (README.md, section Backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            help="Folder for the archive (default: data/backups in the project folder). Created when missing.",
        )
        parser.add_argument(
            "--keep",
            type=int,
            help="Afterwards, remove all but the newest KEEP archives of this folder (only sakip-backup-* files).",
        )

    def handle(self, *args, output: Path | None, keep: int | None, **options):
        try:
            result = backup_create(output_dir=output, keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backup written: {result.path} ({_size(result.size)}; {describe(result.counts, result.media_files)})."
        )
        for path in result.removed:
            self.stdout.write(f"Removed the older archive {path}.")
        if result.missing_media:
            for name in result.missing_media:
                self.stderr.write(f"missing from the media storage: {name}")
            raise CommandError(
                f"The backup was written, but {len(result.missing_media)} files the database refers to are missing "
                "from the media storage (listed above): that instance has lost them."
            )


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"
