"""Load the SOP the product ships (Pengukuran Kinerja) unless it is already there."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from sakip.sops.models import Sop
from sakip.sops.serialization import sop_from_dict

DEFAULTS = Path(__file__).resolve().parents[2] / "defaults"
DEFAULT_SOP = DEFAULTS / "pengukuran-kinerja.json"
# Permissions the roles of the default SOP hold beyond acting on their steps.
DEFAULT_ROLES = DEFAULTS / "roles.json"


def grant_default_permissions() -> None:
    """Give each role its default permissions (adds only; never takes one away). Safe to run twice."""
    from django.contrib.auth.models import Group, Permission

    for group_name, codes in json.loads(DEFAULT_ROLES.read_text(encoding="utf-8")).items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


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
        grant_default_permissions()
        sop = load_default_sop()
        if sop is None:
            self.stdout.write("Default SOP already present; nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded {sop}."))
