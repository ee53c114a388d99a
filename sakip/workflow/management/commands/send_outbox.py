"""Deliver the mail waiting in the outbox: run every minute by a systemd timer (deploy/sakip-send-outbox.timer)."""

from django.core.management.base import BaseCommand, CommandError

from sakip.workflow.outbox import outbox_retry_failed, outbox_send


class Command(BaseCommand):
    help = (
        "Send the mail in the outbox that is due, through one connection to the mail server. A mail that "
        "fails is tried again later (after 1, 2, 4 … minutes, at most an hour apart) and given up, but kept, "
        "after its last attempt. Two runs at once never send the same mail."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="Send at most this many mails in this run.")
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="First queue the mail that was given up again, with a fresh count of attempts.",
        )

    def handle(self, *args, limit, retry_failed, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        if retry_failed:
            self.stdout.write(f"Queued again: {outbox_retry_failed()}.")
        report = outbox_send(limit=limit)
        # Silent when there was nothing to send: the timer runs this every minute.
        if report.attempted:
            self.stdout.write(f"Sent: {report.sent}, to try again: {report.retrying}, given up: {report.given_up}.")
