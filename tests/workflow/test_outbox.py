"""The outbox: mail written with the move in its transaction, delivered by send_outbox with retries and backoff,
each mail once even with two senders at once, and nothing lost while the mail server is broken."""

import smtplib
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from sakip.lib.mail import SUBJECT_MAX_LENGTH
from sakip.workflow.models import Document, HistoryEntry, Notification, OutgoingMail
from sakip.workflow.outbox import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    SendReport,
    backoff,
    mail_enqueue,
    outbox_send,
)
from sakip.workflow.services import DocumentMovedOn, document_transition
from tests.conftest import a_pdf, make_people, start_document

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
HERE = "tests.workflow.test_outbox"


class FailingBackend(BaseEmailBackend):
    """A mail server that takes the connection and then refuses every mail."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("mail server down")


class UnreachableBackend(BaseEmailBackend):
    """A mail server that cannot be reached at all: opening the connection fails."""

    opened = 0

    def open(self):
        type(self).opened += 1
        raise ConnectionRefusedError("connection refused")

    def send_messages(self, email_messages):
        raise AssertionError("a message was sent through a connection that never opened")


class RefusingBackend(BaseEmailBackend):
    """A backend that answers without raising but accepts nothing."""

    def send_messages(self, email_messages):
        return 0


class CountingBackend(LocmemBackend):
    """Locmem, counting the connections made to it."""

    instances = 0
    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).instances += 1

    def open(self):
        type(self).opened += 1
        return super().open()


class WatchingBackend(LocmemBackend):
    """Locmem that looks at the mail's row at the moment the server takes it."""

    seen: list[tuple] = []

    def send_messages(self, email_messages):
        for message in email_messages:
            row = OutgoingMail.objects.get(subject=message.subject)
            type(self).seen.append((row.sent_at, row.claimed_by, row.attempts))
        return super().send_messages(email_messages)


class SlowBackend(BaseEmailBackend):
    """A mail server that takes a moment per mail, so that two senders overlap; records what it took."""

    sent: list[str] = []
    lock = threading.Lock()

    def send_messages(self, email_messages):
        time.sleep(0.005)
        with self.lock:
            self.sent.extend(m.subject for m in email_messages)
        return len(email_messages)


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)
        return self


def queue(subject: str = "Surat", to: str = "penerima@example.org") -> OutgoingMail:
    return mail_enqueue(recipients=[to], subject=subject, body="Isi surat\n")


@pytest.fixture
def people(default_sop):
    """Everyone of the default SOP; the holder of step 2 (who gets the mail of a hand-over) has an address."""
    people = make_people(default_sop)
    people["Sek. Tim SAKIP"].email = "sektim@example.org"
    people["Sek. Tim SAKIP"].save()
    return people


def hand_on(document, by, **kwargs):
    kwargs = {"requirements_confirmed": True, "note": "Disposisi", "files": [a_pdf()], **kwargs}
    return document_transition(document=document, action=HistoryEntry.Action.COMPLETE, by=by, **kwargs)


# The mail is written with the move.


@pytest.mark.django_db
def test_it_writes_the_mail_with_the_move_and_sends_nothing_in_the_request(default_sop, people, settings):
    settings.EMAIL_BACKEND = f"{HERE}.FailingBackend"  # any contact with the mail server would raise
    document = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    assert not OutgoingMail.objects.exists()  # nobody else holds step 1: nobody to write to
    document = hand_on(document, people["Sekretaris"])
    [row] = OutgoingMail.objects.all()
    assert row.recipients == ["sektim@example.org"]
    assert row.subject == "[SAKIP] PK 2026 menunggu Anda"
    assert f"{settings.SITE_URL}/dokumen/{document.pk}/" in row.body
    assert "langkah 2" in row.body
    assert row.attempts == 0 and row.sent_at is None and row.next_attempt_at <= timezone.now()
    assert mail.outbox == []
    # The in-app notification is written as before.
    assert Notification.objects.filter(recipient=people["Sek. Tim SAKIP"], document=document).count() == 1


@pytest.mark.django_db
def test_it_writes_the_mail_in_indonesian_whatever_language_the_actor_uses(default_sop, people):
    document = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    with translation.override("en"):
        hand_on(document, people["Sekretaris"])
    row = OutgoingMail.objects.get()
    assert row.subject == "[SAKIP] PK 2026 menunggu Anda"
    assert "menunggu Anda pada langkah 2" in row.body


@pytest.mark.django_db
def test_it_writes_no_mail_for_a_refused_move(default_sop, people):
    document = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    with pytest.raises(ValidationError):
        hand_on(document, people["Sekretaris"], requirements_confirmed=False)
    stale = Document.objects.get(pk=document.pk)
    hand_on(document, people["Sekretaris"])
    assert OutgoingMail.objects.count() == 1
    with pytest.raises(DocumentMovedOn):
        hand_on(stale, people["Sekretaris"])  # the second of two at once
    assert OutgoingMail.objects.count() == 1


@pytest.mark.django_db
def test_it_writes_no_mail_when_the_move_is_rolled_back(default_sop, people):
    document = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    with pytest.raises(RuntimeError), transaction.atomic():
        hand_on(document, people["Sekretaris"])
        assert OutgoingMail.objects.count() == 1
        raise RuntimeError("something later in the same transaction failed")
    assert not OutgoingMail.objects.exists()
    assert Document.objects.get(pk=document.pk).current_step.number == 1


@pytest.mark.django_db
def test_it_writes_no_mail_without_addresses_and_cleans_subject_and_recipients():
    assert mail_enqueue(recipients=["", "  "], subject="x", body="y") is None
    row = mail_enqueue(recipients=[" a@example.org", "a@example.org", "b@example.org"], subject="a\nb" * 200, body="")
    assert row.recipients == ["a@example.org", "b@example.org"]
    assert "\n" not in row.subject and len(row.subject) <= SUBJECT_MAX_LENGTH and row.subject.endswith("…")
    assert OutgoingMail._meta.get_field("subject").max_length == SUBJECT_MAX_LENGTH


@pytest.mark.django_db
def test_it_writes_a_keyed_mail_once():
    assert mail_enqueue(recipients=["a@example.org"], subject="x", body="y", key="k") is not None
    with transaction.atomic():  # losing the race for the key leaves the caller's transaction usable
        assert mail_enqueue(recipients=["a@example.org"], subject="x", body="y", key="k") is None
        assert OutgoingMail.objects.count() == 1
    assert mail_enqueue(recipients=["a@example.org"], subject="x", body="y") is not None
    assert mail_enqueue(recipients=["a@example.org"], subject="x", body="y") is not None  # no key, no limit


@pytest.mark.django_db
def test_it_writes_a_keyed_mail_once_when_another_writer_got_there_between_check_and_write(monkeypatch):
    assert mail_enqueue(recipients=["a@example.org"], subject="x", body="y", key="k") is not None
    real_exists = QuerySet.exists
    checks = []

    def exists_not_yet(queryset):
        # The first check runs before the other writer's row was committed: it sees nothing.
        checks.append(queryset)
        return False if len(checks) == 1 else real_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", exists_not_yet)
    with transaction.atomic():
        assert mail_enqueue(recipients=["a@example.org"], subject="x", body="y", key="k") is None
        assert OutgoingMail.objects.count() == 1  # the caller's transaction is still usable
    assert len(checks) == 2


# Delivery.


@pytest.mark.django_db
def test_it_sends_the_due_mail_once_and_marks_it_sent(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.DEFAULT_FROM_EMAIL = "sakip@example.org"
    row = queue("PK 2026 menunggu Anda")
    assert outbox_send() == SendReport(sent=1)
    [message] = mail.outbox
    assert (message.subject, message.body, message.to) == ("PK 2026 menunggu Anda", "Isi surat\n", row.recipients)
    assert message.from_email == "sakip@example.org"
    assert message.extra_headers["Message-ID"].startswith(f"<sakip-outbox-{row.pk}-")
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1 and row.claimed_by == "" and row.claimed_until is None
    assert outbox_send() == SendReport()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_it_loses_nothing_while_the_mail_server_refuses_and_sends_all_once_it_works(settings):
    rows = [queue(f"Surat {i}") for i in range(3)]
    clock = Clock()
    settings.EMAIL_BACKEND = f"{HERE}.FailingBackend"
    assert outbox_send(clock=clock) == SendReport(retrying=3)
    for row in rows:
        row.refresh_from_db()
        assert row.sent_at is None and row.failed_at is None
        assert row.attempts == 1
        assert row.next_attempt_at == clock.now + timedelta(minutes=1)
        assert row.last_error == "SMTPException: mail server down"
    settings.EMAIL_BACKEND = LOCMEM
    assert outbox_send(clock=clock.advance(seconds=59)) == SendReport()  # not due yet
    assert outbox_send(clock=clock.advance(seconds=1)) == SendReport(sent=3)
    assert sorted(m.subject for m in mail.outbox) == ["Surat 0", "Surat 1", "Surat 2"]
    assert outbox_send(clock=clock.advance(hours=1)) == SendReport()
    assert len(mail.outbox) == 3
    assert OutgoingMail.objects.filter(sent_at__isnull=False, attempts=2).count() == 3


@pytest.mark.django_db
def test_it_tries_an_unreachable_server_once_per_run_and_keeps_every_mail(settings):
    UnreachableBackend.opened = 0
    settings.EMAIL_BACKEND = f"{HERE}.UnreachableBackend"
    for i in range(4):
        queue(f"Surat {i}")
    assert outbox_send() == SendReport(retrying=4)
    assert UnreachableBackend.opened == 1
    assert set(OutgoingMail.objects.values_list("attempts", "last_error")) == {
        (1, "ConnectionRefusedError: connection refused")
    }


@pytest.mark.django_db
def test_it_does_not_mark_a_mail_the_backend_did_not_accept_as_sent(settings):
    settings.EMAIL_BACKEND = f"{HERE}.RefusingBackend"
    row = queue()
    assert outbox_send() == SendReport(retrying=1)
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 1 and "did not accept" in row.last_error


@pytest.mark.django_db
def test_it_marks_a_mail_sent_only_after_the_backend_took_it(settings):
    WatchingBackend.seen = []
    settings.EMAIL_BACKEND = f"{HERE}.WatchingBackend"
    row = queue()
    outbox_send()
    [(sent_at, claimed_by, attempts)] = WatchingBackend.seen
    assert sent_at is None and claimed_by and attempts == 1  # claimed, counted, not yet sent
    row.refresh_from_db()
    assert row.sent_at is not None


@pytest.mark.django_db
def test_it_uses_one_connection_per_run_and_none_when_nothing_is_due(settings):
    CountingBackend.instances = CountingBackend.opened = 0
    settings.EMAIL_BACKEND = f"{HERE}.CountingBackend"
    assert outbox_send() == SendReport()
    assert CountingBackend.instances == 0
    for i in range(5):
        queue(f"Surat {i}")
    assert outbox_send() == SendReport(sent=5)
    assert (CountingBackend.instances, CountingBackend.opened) == (1, 1)


def test_it_doubles_the_pause_from_one_minute_up_to_an_hour():
    assert [backoff(n) / timedelta(minutes=1) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert backoff(10_000) == timedelta(hours=1)


@pytest.mark.django_db
def test_it_backs_off_and_gives_up_after_the_last_attempt_but_keeps_the_mail(settings):
    settings.EMAIL_BACKEND = f"{HERE}.FailingBackend"
    row = queue()
    clock = Clock()
    pauses = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        expected = SendReport(given_up=1) if attempt == MAX_ATTEMPTS else SendReport(retrying=1)
        assert outbox_send(clock=clock) == expected
        row.refresh_from_db()
        assert row.attempts == attempt
        pauses.append((row.next_attempt_at - clock.now) / timedelta(minutes=1))
        clock.now = row.next_attempt_at - timedelta(seconds=1)
        assert outbox_send(clock=clock) == SendReport()  # a second early: not tried
        clock.now = row.next_attempt_at
    assert pauses[:-1] == [1, 2, 4, 8, 16, 32] + [60] * (MAX_ATTEMPTS - 7)
    # The last attempt came a day after the first: a mail server broken for a day loses nothing.
    assert sum(pauses[:-1]) / 60 == pytest.approx(24, abs=0.1)
    assert row.failed_at is not None and row.sent_at is None
    assert outbox_send(clock=clock.advance(days=30)) == SendReport()  # given up: never tried again on its own
    # Kept, and queued again on request.
    settings.EMAIL_BACKEND = LOCMEM
    out = StringIO()
    call_command("send_outbox", "--retry-failed", stdout=out)
    assert "Queued again: 1." in out.getvalue() and "Sent: 1" in out.getvalue()
    row.refresh_from_db()
    assert row.sent_at is not None and row.failed_at is None and row.attempts == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_it_leaves_a_claimed_mail_alone_until_the_claim_runs_out(settings):
    settings.EMAIL_BACKEND = LOCMEM
    row = queue()
    clock = Clock()
    # Another sender took it and died before it recorded anything.
    OutgoingMail.objects.filter(pk=row.pk).update(claimed_by="x" * 32, claimed_until=clock.now + CLAIM_LEASE)
    assert outbox_send(clock=clock) == SendReport()
    assert outbox_send(clock=clock.advance(seconds=CLAIM_LEASE.total_seconds() + 1)) == SendReport(sent=1)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_command_is_silent_when_there_is_nothing_to_send_and_reports_otherwise(settings):
    settings.EMAIL_BACKEND = LOCMEM
    out = StringIO()
    call_command("send_outbox", stdout=out)
    assert out.getvalue() == ""
    queue()
    queue()
    call_command("send_outbox", "--limit", "1", stdout=out)
    assert out.getvalue() == "Sent: 1, to try again: 0, given up: 0.\n"
    assert OutgoingMail.objects.pending().count() == 1


@pytest.mark.django_db
def test_it_shows_the_outbox_read_only_in_the_admin(admin_client_):
    row = queue("PK 2026 menunggu Anda")
    assert "PK 2026 menunggu Anda" in admin_client_.get("/admin/workflow/outgoingmail/").text
    assert admin_client_.get(f"/admin/workflow/outgoingmail/{row.pk}/change/").status_code == 200
    assert admin_client_.post(f"/admin/workflow/outgoingmail/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client_.get("/admin/workflow/outgoingmail/add/").status_code == 403
    assert OutgoingMail.objects.filter(pk=row.pk).exists()


# Two senders at once.

SENDER_RUNS = 5
MAILS_PER_RUN = 30


@pytest.mark.django_db(transaction=True)
def test_it_sends_each_mail_once_with_two_senders_at_once(settings):
    settings.EMAIL_BACKEND = f"{HERE}.SlowBackend"
    both_sent = 0
    for run in range(SENDER_RUNS):
        SlowBackend.sent = []
        subjects = [f"Run {run} mail {i}" for i in range(MAILS_PER_RUN)]
        for subject in subjects:
            queue(subject)
        barrier = threading.Barrier(2)
        reports: list[SendReport] = []
        errors: list[BaseException] = []

        def sender(barrier=barrier, reports=reports, errors=errors):
            try:
                barrier.wait()
                reports.append(outbox_send())
            except BaseException as exc:  # any error is a failure of the test
                errors.append(exc)
            finally:
                connection.close()  # each thread has its own connection

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert errors == []
        assert sorted(SlowBackend.sent) == sorted(subjects), f"run {run}: a mail sent twice or not at all"
        assert sum(r.sent for r in reports) == MAILS_PER_RUN
        assert not OutgoingMail.objects.pending().exists()
        both_sent += all(r.sent for r in reports)
    # The senders really overlapped (both sent some mail) in at least one run: the test raced.
    assert both_sent >= 1
