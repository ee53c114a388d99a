"""Create the demo accounts listed in the README. Safe to run twice."""

from django.core.management.base import BaseCommand

from sakip.accounts.demo import create_demo_accounts
from sakip.performance.demo import create_demo_agreement


class Command(BaseCommand):
    help = "Create the demo accounts (one per actor of the default SOP, plus admin) and a demo Perjanjian Kinerja."

    def handle(self, *args, **options):
        created = create_demo_accounts()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created demo accounts: {', '.join(created)}."))
        else:
            self.stdout.write("Demo accounts already present; nothing changed.")
        agreement = create_demo_agreement()
        if agreement is not None:
            self.stdout.write(self.style.SUCCESS(f"Created the demo {agreement}."))
