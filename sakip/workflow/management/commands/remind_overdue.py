"""Write each person's reminder of their overdue tasks to the outbox: run each working morning by a systemd
timer (deploy/sakip-remind-overdue.timer)."""

from django.core.management.base import BaseCommand

from sakip.workflow.reminders import overdue_reminders_queue


class Command(BaseCommand):
    help = (
        "Write one mail to each person with overdue tasks (documents waiting for their roles past the "
        "step's standard time), listing them. At most one reminder per person and day, however often it "
        "runs. manage.py send_outbox delivers them."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Reminders queued: {overdue_reminders_queue()}.")
