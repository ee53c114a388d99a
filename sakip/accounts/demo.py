"""The demo accounts: one per actor of the default SOP, plus an administrator."""

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

# Printed in the README; refused at login whenever DEBUG is off.
DEMO_PASSWORD = "sakip-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    group: str | None
    is_admin: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Admin", "SAKIP", None, is_admin=True),
    DemoAccount("sekretaris", "Sekretaris", "Dinas", "Sekretaris"),
    DemoAccount("kasubbag", "Kasubbag", "Program dan Evaluasi", "Kasubbag. Program dan Evaluasi"),
    DemoAccount("sektim", "Sekretaris", "Tim SAKIP", "Sekretaris Tim SAKIP"),
    DemoAccount("anggota", "Anggota", "Tim SAKIP", "Anggota Tim SAKIP"),
)


def create_demo_accounts() -> list[str]:
    """Create the missing demo accounts; return the usernames created. Safe to run twice."""
    created = []
    with transaction.atomic():
        for account in DEMO_ACCOUNTS:
            user, is_new = User.objects.get_or_create(
                username=account.username,
                defaults={
                    "first_name": account.first_name,
                    "last_name": account.last_name,
                    "is_staff": account.is_admin,
                    "is_superuser": account.is_admin,
                },
            )
            if is_new:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                created.append(user.username)
            if account.group:
                group, _ = Group.objects.get_or_create(name=account.group)
                user.groups.add(group)
    return created
