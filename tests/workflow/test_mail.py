"""Notification mail: one clean subject line, and a broken mail server never touches the request: the mail waits
in the outbox and manage.py send_outbox delivers it."""

import io
import logging
import smtplib
import socket
import socketserver
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from sakip.lib.mail import SUBJECT_MAX_LENGTH, clean_recipients, clean_subject
from sakip.lib.text import one_line
from sakip.workflow.models import Document, HistoryEntry, OutgoingMail
from tests.conftest import a_pdf, make_people, start_document

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down: connecting and sending raise, whatever fail_silently says."""

    def open(self):
        raise smtplib.SMTPException("mail server down")

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("mail server down")


class _FakeSmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to take one message: the test reads what arrived."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250 test\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                data = b""
                while (chunk := self.rfile.readline()) and chunk != b".\r\n":
                    data += chunk
                self.server.received.append(data)
                self.wfile.write(b"250 queued\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _FakeSmtpHandler)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    """A port nothing listens on: bound, noted and released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_with_recipient(default_sop, title: str):
    """A document at step 1 whose next actor (step 2) has an email address."""
    people = make_people(default_sop)
    next_actor = default_sop.steps.get(number=2).actor.name
    people[next_actor].email = "penerima@example.org"
    people[next_actor].save()
    document = start_document(sop=default_sop, title="Pengukuran Kinerja", year=2026, by=people["Sekretaris"])
    # Written straight to the row: the start form now refuses such a title, but documents started
    # before it (and any other path) may still hold one, and their mail must still go.
    Document.objects.filter(pk=document.pk).update(title=title)
    document.refresh_from_db()
    return document, people


def hand_on(client, document, people):
    client.force_login(people["Sekretaris"])
    return client.post(
        f"/dokumen/{document.pk}/aksi/",
        {
            "action": "complete",
            "version": document.version,
            "requirements_confirmed": "on",
            "note": "Disposisi",
            "files": a_pdf(),
        },
    )


def assert_handed_on(response, document):
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_step.number == 2
    assert document.history.filter(action=HistoryEntry.Action.COMPLETE).count() == 1


pytestmark = pytest.mark.django_db


def send_outbox() -> None:
    call_command("send_outbox", stdout=io.StringIO())


def the_queued_mail() -> OutgoingMail:
    [row] = OutgoingMail.objects.all()
    return row


def test_it_hands_on_and_keeps_the_mail_when_the_mail_server_is_down(client, default_sop, settings, caplog):
    settings.EMAIL_BACKEND = "tests.workflow.test_mail.FailingBackend"
    document, people = start_with_recipient(default_sop, "Pengukuran Kinerja 2026")
    with caplog.at_level(logging.WARNING):
        response = hand_on(client, document, people)
    assert_handed_on(response, document)
    assert caplog.records == []  # the request never reached the mail server
    assert the_queued_mail().recipients == ["penerima@example.org"]
    with caplog.at_level(logging.WARNING, logger="sakip.workflow.outbox"):
        send_outbox()
    row = the_queued_mail()
    assert row.sent_at is None and row.attempts == 1 and "mail server down" in row.last_error
    assert any(r.name == "sakip.workflow.outbox" and "mail server down" in r.getMessage() for r in caplog.records)


def test_it_sends_a_one_line_subject_for_a_title_with_line_breaks(client, default_sop, settings):
    settings.EMAIL_BACKEND = LOCMEM
    document, people = start_with_recipient(default_sop, "Pengukuran\r\nKinerja\n2026\u2028revisi")
    response = hand_on(client, document, people)
    assert_handed_on(response, document)
    assert mail.outbox == []  # written to the outbox, not sent in the request
    send_outbox()
    [message] = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject and "\u2028" not in message.subject
    assert "Pengukuran Kinerja 2026 revisi" in message.subject
    assert message.to == ["penerima@example.org"]
    assert the_queued_mail().sent_at is not None


def test_it_sends_a_title_with_a_line_break_through_a_real_smtp_server(client, default_sop, settings, smtp_server):
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.server_address
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    document, people = start_with_recipient(default_sop, "Pengukuran Kinerja\n2026")
    response = hand_on(client, document, people)
    assert_handed_on(response, document)
    assert smtp_server.received == []
    send_outbox()
    [data] = smtp_server.received
    assert b"Pengukuran Kinerja 2026" in data
    assert f"Message-ID: <sakip-outbox-{the_queued_mail().pk}-".encode() in data
    assert the_queued_mail().sent_at is not None


def test_it_hands_on_and_keeps_the_mail_when_the_smtp_server_is_unreachable(client, default_sop, settings):
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_TIMEOUT = 2
    document, people = start_with_recipient(default_sop, "Pengukuran Kinerja\n2026")
    response = hand_on(client, document, people)
    assert_handed_on(response, document)
    send_outbox()
    row = the_queued_mail()
    assert row.sent_at is None and row.failed_at is None and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error


def test_it_waits_for_a_silent_mail_server_only_so_long(client, default_sop, settings):
    assert settings.EMAIL_TIMEOUT  # the project default: never wait forever
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_TIMEOUT = 1
    with socket.socket() as silent:  # takes the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
        document, people = start_with_recipient(default_sop, "Pengukuran Kinerja 2026")
        response = hand_on(client, document, people)
        assert_handed_on(response, document)
        started = time.monotonic()
        send_outbox()
        elapsed = time.monotonic() - started
    assert elapsed < 5
    row = the_queued_mail()
    assert row.sent_at is None and row.attempts == 1 and row.last_error


def test_it_caps_a_long_subject_with_an_ellipsis():
    subject = one_line("x" * 400, max_length=SUBJECT_MAX_LENGTH)
    assert len(subject) == SUBJECT_MAX_LENGTH
    assert subject.endswith("…")


@pytest.mark.parametrize(
    "raw",
    ["a\nb", "a\r\nb", "a\rb", "a\u2028b", "a\u2029b", "a\x0bb", "a\x0cb", "a\x85b", "a\tb", "a\x00b", "a \n\t b"],
)
def test_it_makes_one_line_of_every_kind_of_line_break(raw):
    assert one_line(raw) == "a b"


def test_it_drops_invisible_format_characters_from_a_line():
    assert one_line("\u202eabc\u200b\ufeff") == "abc"


def test_it_makes_a_clean_subject_and_keeps_only_real_addresses():
    assert clean_subject("[SAKIP] a\nb") == "[SAKIP] a b"
    assert len(clean_subject("x" * 400)) == SUBJECT_MAX_LENGTH
    assert clean_recipients(["x@example.org", "", " x@example.org ", "y@example.org", None]) == [
        "x@example.org",
        "y@example.org",
    ]
