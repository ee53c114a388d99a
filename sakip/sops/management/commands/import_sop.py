"""Read a sakip.sop/1 JSON file and create the SOP it describes, or the next revision of it."""

from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sakip.sops.serialization import SopFileError, sop_dict_from_json, sop_from_dict


class Command(BaseCommand):
    help = (
        "Import an SOP from a JSON file written by export_sop. A new code creates revision 1; "
        "a code that exists gets its next revision, and earlier revisions stay as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The JSON file to read.")
        parser.add_argument("--note", default="", help="What changed, kept with the new revision.")

    def handle(self, *args, file: Path, note: str, **options):
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from None
        try:
            data = sop_dict_from_json(raw)
            with transaction.atomic():
                groups_before = set(Group.objects.values_list("name", flat=True))
                sop = sop_from_dict(data, revision_note=note)
        except SopFileError as exc:
            raise CommandError(str(exc)) from None

        actors = list(sop.actors.select_related("group").order_by("position"))
        new_groups = sorted({a.group.name for a in actors} - groups_before)
        what = "new SOP" if sop.revision == 1 else "new revision"
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {what} {sop.slug!r} revision {sop.revision}: {sop.nama} "
                f"({len(actors)} actors, {sop.steps.count()} steps)."
            )
        )
        if new_groups:
            self.stdout.write(
                f"Created group(s) {', '.join(repr(g) for g in new_groups)}: add the people who act for them."
            )
