"""Bring an archive of manage.py backup back into an empty instance, after checking every file's SHA-256."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sakip.ops.backup import BackupError, backup_restore, describe


class Command(BaseCommand):
    help = (
        "Restore an archive written by manage.py backup: every file is checked against the SHA-256 in its "
        "manifest before anything is touched, then the media files and the SQLite database are restored. "
        "Refuses when this instance already holds documents or media files, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The sakip-backup-*.tar.gz file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though this instance holds documents or media files: its database is replaced "
            "whole and media files of the same name are overwritten (other media files stay).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the archive (every SHA-256, the database's integrity and guard); change nothing.",
        )

    def handle(self, *args, archive: Path, force: bool, check: bool, **options):
        try:
            result = backup_restore(archive=archive, force=force, check_only=check)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        what = describe(result.counts, result.media_files)
        if not result.restored:
            self.stdout.write(f"OK: {archive} (made {result.created_at}) is intact: {what}, every SHA-256 matches.")
            return
        self.stdout.write(f"Restored {archive} (made {result.created_at}): {what}, every SHA-256 checked.")
        if result.pending_migrations:
            self.stdout.write(
                f"The restored database lacks {len(result.pending_migrations)} migrations of this version: run "
                "manage.py migrate."
            )
        self.stdout.write("Now run manage.py verify_history to check every document's history.")
