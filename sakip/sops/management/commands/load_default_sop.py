"""Load the SOP the product ships (Pengukuran Kinerja) unless it is already there."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from sakip.sops.models import Sop
from sakip.sops.serialization import sop_from_dict

DEFAULT_SOP = Path(__file__).resolve().parents[2] / "defaults" / "pengukuran-kinerja.json"


def load_default_sop() -> Sop | None:
    """Create the default SOP; return None (and change nothing) when its code exists."""
    data = json.loads(DEFAULT_SOP.read_text(encoding="utf-8"))
    with transaction.atomic():
        if Sop.objects.filter(slug=data["slug"]).exists():
            return None
        return sop_from_dict(data)


class Command(BaseCommand):
    help = "Load the default SOP (Pengukuran Kinerja). Safe to run twice."

    def handle(self, *args, **options):
        sop = load_default_sop()
        if sop is None:
            self.stdout.write("Default SOP already present; nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded {sop}."))
