"""The outbox: mail is written in the transaction of the change it reports and delivered later, with retries.

A request never talks to the mail server. A move that is refused or rolled back leaves no mail; a
move that happened always leaves its mail, which ``manage.py send_outbox`` delivers, retrying with
growing pauses while the server is down, so that a broken mail server delays mail and loses none.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sakip.lib.mail import clean_recipients, clean_subject
from sakip.workflow.models import OutgoingMail

logger = logging.getLogger(__name__)

# Pauses after the 1st, 2nd, 3rd … failed attempt: 1, 2, 4 … minutes, then hourly. The last of
# MAX_ATTEMPTS comes a day after the first (63 minutes, then 23 hours), so a mail server broken
# for a whole day loses nothing; after that the mail is given up, kept, and queued again by
# ``send_outbox --retry-failed``.
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 30
# How long a sender holds a mail it took. One mail is claimed just before it is sent, so this only
# has to outlast one send (connecting, TLS and the message, each bounded by EMAIL_TIMEOUT);
# a sender that dies leaves its mail to the next run once it runs out.
CLAIM_LEASE = timedelta(minutes=10)
ERROR_MAX_LENGTH = 2000


def mail_enqueue(*, recipients: Iterable[str], subject: str, body: str, key: str = "") -> OutgoingMail | None:
    """Write a mail to the outbox, in the caller's transaction; None when there is nobody to send it to,
    or when a mail with the same ``key`` was already written (it goes once, even with two writers at once)."""
    addresses = clean_recipients(recipients)
    if not addresses:
        return None
    fields = {"recipients": addresses, "subject": clean_subject(subject), "body": body, "key": key}
    if not key:
        return OutgoingMail.objects.create(**fields)  # one INSERT in the move's transaction
    if OutgoingMail.objects.filter(key=key).exists():
        return None
    try:
        # A savepoint: losing the race for a key must not break the caller's transaction.
        with transaction.atomic():
            return OutgoingMail.objects.create(**fields)
    except IntegrityError:
        if OutgoingMail.objects.filter(key=key).exists():
            return None
        raise


def backoff(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failed attempt: doubling from BACKOFF_FIRST, at most BACKOFF_MAX."""
    if attempts < 1:
        return timedelta(0)
    # Capped before the power is taken: 2 ** attempts grows without bound, the pause does not.
    return min(BACKOFF_FIRST * 2 ** min(attempts - 1, 32), BACKOFF_MAX)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0  # failed this time, tried again later
    given_up: int = 0  # failed for the last allowed time

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.given_up


def outbox_send(*, limit: int = 500, clock: Callable[[], datetime] = timezone.now) -> SendReport:
    """Deliver the mail that is due, oldest first, through one connection to the mail server.

    Each mail is claimed with a conditional UPDATE just before it is sent, so two senders at once
    (two servers' timers, or a run by hand) never both send it; it is marked sent only after the
    mail backend accepted it. A mail whose sender dies between the two is sent again once its claim
    runs out: at least once, never lost. The stable Message-ID lets mail clients drop such a copy.
    """
    report = SendReport()
    due = list(OutgoingMail.objects.due(clock()).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    if not due:
        return report  # nothing to do: no connection to the mail server at all
    token = secrets.token_hex(16)
    backend = None
    broken: Exception | None = None  # the mail server could not be reached in this run
    try:
        for pk in due:
            mail = _claim(pk, token, clock())
            if mail is None:
                continue  # another sender took it, or sent it, since the list was read
            if backend is None and broken is None:
                backend = get_connection(fail_silently=False)
                try:
                    backend.open()
                except Exception as exc:
                    # One try per run: every mail of this run waits for the next, none is lost.
                    broken = exc
            if broken is not None:
                _record_failure(mail, token, broken, clock(), report)
                continue
            try:
                accepted = backend.send_messages([_message(mail, backend)])
            except Exception as exc:
                _record_failure(mail, token, exc, clock(), report)
                continue
            if accepted:
                _record_sent(mail, token, clock(), report)
            else:
                _record_failure(mail, token, RuntimeError("The mail server did not accept the mail."), clock(), report)
    finally:
        if backend is not None:
            try:
                backend.close()
            except Exception:
                logger.warning("Closing the connection to the mail server failed.", exc_info=True)
    return report


def outbox_retry_failed(*, clock: Callable[[], datetime] = timezone.now) -> int:
    """Queue the given-up mail again, with a fresh count of attempts; the number queued."""
    return OutgoingMail.objects.filter(sent_at__isnull=True, failed_at__isnull=False).update(
        failed_at=None, attempts=0, next_attempt_at=clock()
    )


def _claim(pk: int, token: str, now: datetime) -> OutgoingMail | None:
    # The conditional UPDATE is the lock, on SQLite and PostgreSQL alike: of two senders only one
    # changes the row. Counting the attempt here counts a sender that died while sending, too.
    taken = (
        OutgoingMail.objects.due(now)
        .filter(pk=pk)
        .update(claimed_by=token, claimed_until=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    )
    if not taken:
        return None
    return OutgoingMail.objects.filter(pk=pk, claimed_by=token).first()


def _message(mail: OutgoingMail, backend) -> EmailMessage:
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    # The same Message-ID on every attempt: a copy sent again after a crash is recognisably the same mail.
    message_id = f"<sakip-outbox-{mail.pk}-{int(mail.created_at.timestamp())}@{domain}>"
    return EmailMessage(
        subject=clean_subject(mail.subject),
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=clean_recipients(mail.recipients),
        headers={"Message-ID": message_id},
        connection=backend,
    )


def _record_sent(mail: OutgoingMail, token: str, now: datetime, report: SendReport) -> None:
    updated = OutgoingMail.objects.filter(pk=mail.pk, claimed_by=token).update(
        sent_at=now, claimed_by="", claimed_until=None
    )
    if not updated:
        logger.warning("Mail %s was sent after its claim ran out; another sender may send it again.", mail.pk)
    report.sent += 1


def _record_failure(mail: OutgoingMail, token: str, error: Exception, now: datetime, report: SendReport) -> None:
    reason = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    given_up = mail.attempts >= MAX_ATTEMPTS
    OutgoingMail.objects.filter(pk=mail.pk, claimed_by=token).update(
        claimed_by="",
        claimed_until=None,
        last_error=reason,
        next_attempt_at=now + backoff(mail.attempts),
        failed_at=now if given_up else None,
    )
    if given_up:
        report.given_up += 1
        logger.error("Mail %s %r given up after %d attempts: %s", mail.pk, mail.subject, mail.attempts, reason)
    else:
        report.retrying += 1
        logger.warning("Mail %s not sent (attempt %d), tried again later: %s", mail.pk, mail.attempts, reason)
