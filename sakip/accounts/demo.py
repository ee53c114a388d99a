"""The demo accounts: one per actor of the default SOP, plus an administrator."""

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

from sakip.accounts.models import Profile

# Printed in the README; refused at login whenever DEBUG is off.
DEMO_PASSWORD = "sakip-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    group: str | None
    is_admin: bool = False
    nip: str = ""
    jabatan: str = ""
    pangkat: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Admin", "SAKIP", None, is_admin=True),
    # Invented people with NIPs of the right shape (birth date, appointment month, sex, sequence).
    DemoAccount(
        "sekretaris",
        "Siti",
        "Rahmawati, S.Sos., M.M.",
        "Sekretaris",
        nip="197805122003122004",
        jabatan="Sekretaris Dinas Tenaga Kerja",
        pangkat="Pembina (IV/a)",
    ),
    DemoAccount(
        "kasubbag",
        "Bambang",
        "Hartono, S.E.",
        "Kasubbag. Program dan Evaluasi",
        nip="198203172006041011",
        jabatan="Kepala Sub Bagian Program dan Evaluasi",
        pangkat="Penata Tingkat I (III/d)",
    ),
    DemoAccount(
        "sektim",
        "Dewi",
        "Lestari, S.T.",
        "Sekretaris Tim SAKIP",
        nip="198807242011012002",
        jabatan="Perencana Ahli Muda",
        pangkat="Penata (III/c)",
    ),
    DemoAccount(
        "anggota",
        "Agus",
        "Prasetyo, A.Md.",
        "Anggota Tim SAKIP",
        nip="199201052015031003",
        jabatan="Pengolah Data",
        pangkat="Pengatur (II/c)",
    ),
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
            if account.nip:
                Profile.objects.get_or_create(
                    user=user, defaults={"nip": account.nip, "jabatan": account.jabatan, "pangkat": account.pangkat}
                )
    return created
