"""Write one revision of an SOP as a sakip.sop/1 JSON file, the format import_sop reads."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sakip.sops.models import Sop
from sakip.sops.serialization import sop_to_json


class Command(BaseCommand):
    help = "Export an SOP (its newest revision unless --revision is given) as JSON, to stdout or a file."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The SOP's code, as in its address (e.g. pengukuran-kinerja).")
        parser.add_argument("--revision", type=int, help="The revision to export (default: the newest).")
        parser.add_argument("--output", "-o", type=Path, help="Write to this file instead of stdout.")

    def handle(self, *args, slug: str, revision: int | None, output: Path | None, **options):
        revisions = list(Sop.objects.filter(slug=slug).order_by("revision").values_list("revision", flat=True))
        if not revisions:
            raise CommandError(f"No SOP with code {slug!r}.")
        if revision is None:
            revision = revisions[-1]
        elif revision not in revisions:
            listed = ", ".join(str(r) for r in revisions)
            raise CommandError(f"SOP {slug!r} has no revision {revision} (its revisions: {listed}).")
        text = sop_to_json(Sop.objects.get(slug=slug, revision=revision))
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            # Bytes, so the file is UTF-8 with "\n" line ends whatever the platform's defaults.
            output.write_bytes(text.encode("utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}.") from None
        self.stdout.write(f"Wrote revision {revision} of {slug!r} to {output}.")
