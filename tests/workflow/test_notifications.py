"""Notifications that mean something: read when opened, settled when the work is done, telling the current state,
a return's reason, the end of the document, and mail only for those who want it."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from sakip.accounts.models import Profile
from sakip.workflow.models import Document, HistoryEntry, Notification, OutgoingMail
from sakip.workflow.reminders import overdue_reminders_queue
from sakip.workflow.services import document_transition
from tests.conftest import a_pdf, advance, make_people, make_user, start_document

pytestmark = pytest.mark.django_db

Action = HistoryEntry.Action
SEK, SEKTIM, ANGGOTA, KASUBBAG = "Sekretaris", "Sek. Tim SAKIP", "Angg. Tim SAKIP", "Kasubbag. Program dan Evaluasi"


@pytest.fixture
def people(default_sop):
    people = make_people(default_sop)
    for person in people.values():
        person.email = f"{person.username}@example.org"
        person.save(update_fields=["email"])
    return people


def hand_on(document, by):
    step = document.current_step
    return document_transition(
        document=document,
        action=Action.COMPLETE,
        by=by,
        requirements_confirmed=True,
        note="ok",
        files=[a_pdf()] if step.attachment_required else [],
    )


def unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def nav_count(client) -> int:
    found = re.search(r'id="unread-count">(\d+)<', client.get("/").text)
    return int(found.group(1)) if found else 0


def office_text(message: str, **values) -> str:
    """A message as the app writes it for others: in the office's language, whether or not it is translated yet."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message) % values


@pytest.fixture
def at_step_2(default_sop, people):
    document = start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK])
    return hand_on(document, people[SEK])


# Read when opened.


def test_it_marks_a_notification_read_when_it_is_opened_and_goes_to_its_document(client, at_step_2, people):
    holder = people[SEKTIM]
    client.force_login(holder)
    note = Notification.objects.get(recipient=holder)
    assert nav_count(client) == 1
    r = client.post(f"/dokumen/notifikasi/{note.pk}/")
    assert r.status_code == 302 and r.url == f"/dokumen/{at_step_2.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert nav_count(client) == 0


def test_it_opens_only_by_post_and_only_ones_own(client, at_step_2, people):
    note = Notification.objects.get(recipient=people[SEKTIM])
    client.force_login(people[ANGGOTA])
    assert client.get(f"/dokumen/notifikasi/{note.pk}/").status_code == 405
    assert client.post(f"/dokumen/notifikasi/{note.pk}/").status_code == 404
    client.force_login(people[SEKTIM])
    assert client.get(f"/dokumen/notifikasi/{note.pk}/").status_code == 405  # a link or a prefetch marks nothing
    note.refresh_from_db()
    assert note.read_at is None


def test_it_goes_nowhere_but_the_document(client, at_step_2, people):
    note = Notification.objects.get(recipient=people[SEKTIM])
    client.force_login(people[SEKTIM])
    r = client.post(f"/dokumen/notifikasi/{note.pk}/?next=https://evil.example/", {"next": "https://evil.example/"})
    assert r.url == f"/dokumen/{at_step_2.pk}/"


def test_it_needs_the_csrf_token_to_open(at_step_2, people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people[SEKTIM])
    note = Notification.objects.get(recipient=people[SEKTIM])
    assert client.post(f"/dokumen/notifikasi/{note.pk}/").status_code == 403
    page = client.get("/dokumen/notifikasi/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    assert client.post(f"/dokumen/notifikasi/{note.pk}/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_it_marks_the_notifications_read_when_the_recipient_opens_the_document(client, default_sop, at_step_2, people):
    holder = people[SEKTIM]
    other = start_document(sop=default_sop, title="PK 2025", year=2025, by=people[SEK])
    hand_on(other, people[SEK])
    client.force_login(holder)
    assert nav_count(client) == 2
    r = client.get(f"/dokumen/{at_step_2.pk}/")
    # The count in the page that opened it already leaves it out.
    assert 'id="unread-count">1<' in r.text
    assert Notification.objects.get(recipient=holder, document=at_step_2).read_at is not None
    assert Notification.objects.get(recipient=holder, document=other).read_at is None


def test_opening_a_document_marks_only_the_readers_own(client, at_step_2, people):
    client.force_login(people[SEK])  # not a recipient: the starter
    client.get(f"/dokumen/{at_step_2.pk}/")
    assert unread(people[SEKTIM]) == 1


def test_opening_the_document_again_adds_no_query(client, at_step_2, people):
    client.force_login(people[SEKTIM])
    client.get(f"/dokumen/{at_step_2.pk}/")  # marks it read, and fills the caches
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/dokumen/{at_step_2.pk}/")
    assert not [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert sum("workflow_notification" in q["sql"] for q in captured.captured_queries) == 1


# The count goes down once the work is done.


def test_the_count_goes_down_once_the_step_is_done_by_anyone(client, default_sop, people):
    colleague = make_user("sektim2", people[SEKTIM].groups.get().name)
    first = hand_on(start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK]), people[SEK])
    hand_on(start_document(sop=default_sop, title="PK 2025", year=2025, by=people[SEK]), people[SEK])
    assert unread(colleague) == 2 and unread(people[SEKTIM]) == 2
    # The colleague never opens it; the other holder does the work.
    hand_on(first, people[SEKTIM])
    assert unread(colleague) == 1
    assert unread(people[SEKTIM]) == 1
    client.force_login(colleague)
    assert nav_count(client) == 1


def test_it_settles_them_when_the_document_is_cancelled(at_step_2, people):
    from sakip.workflow.services import document_cancel

    document_cancel(document=Document.objects.get(pk=at_step_2.pk), by=people[SEK], reason="dobel")
    assert unread(people[SEKTIM]) == 0


# The text follows the current state.


def waiting_text(step) -> str:
    return office_text("waiting for you at step %(number)s", number=step.number)


def test_the_list_says_where_the_document_is_now(client, default_sop, people):
    document = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK]), people, 5)
    client.force_login(people[KASUBBAG])
    page = client.get("/dokumen/notifikasi/").text
    assert waiting_text(document.current_step) in page
    advance(document, people, 6)
    page = client.get("/dokumen/notifikasi/").text
    assert waiting_text(document.current_step) not in page
    assert office_text("at step %(number)s, with %(actor)s", number=6, actor=SEK) in page


def test_after_signing_nobody_is_told_it_waits_at_the_signature(client, default_sop, people):
    colleague = make_user("sek2", people[SEK].groups.get().name, first_name="Dua", last_name="Sekretaris")
    document = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK]), people, 6)
    six = document.current_step
    client.force_login(colleague)
    assert waiting_text(six) in client.get("/dokumen/notifikasi/").text
    document = document_transition(
        document=document, action=Action.APPROVE, by=people[SEK], requirements_confirmed=True
    )
    document = document_transition(
        document=document, action=Action.FINISH, by=people[KASUBBAG], requirements_confirmed=True, note="selesai"
    )
    page = client.get("/dokumen/notifikasi/").text
    assert waiting_text(six) not in page
    signed_on = date_format(timezone.localtime(document.signed.signed_at).date(), "DATE_FORMAT")
    assert office_text("finished, signed on %(date)s", date=signed_on) in page
    # The stored message tells what happened, which stays true: passed on at step 6.
    assert "6" in Notification.objects.filter(recipient=colleague).latest("pk").message


# A return carries its reason.


def test_a_return_tells_its_reason_in_the_app_and_in_the_mail(default_sop, people):
    document = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK]), people, 5)
    OutgoingMail.objects.all().delete()
    reason = "Realisasi indikator 2 belum sesuai data BPS; mohon diperiksa kembali."
    document_transition(document=document, action=Action.RETURN, by=people[KASUBBAG], reason=reason)
    note = Notification.objects.filter(recipient=people[ANGGOTA]).first()
    assert reason in note.message
    assert people[KASUBBAG].get_full_name() in note.message
    mail = OutgoingMail.objects.get()
    assert mail.recipients == [people[ANGGOTA].email]
    assert reason in mail.body and people[KASUBBAG].get_full_name() in mail.body
    assert "PK 2026" in mail.subject
    assert mail.subject == office_text("[SAKIP] %(title)s was returned to you", title="PK 2026")


def test_a_long_reason_is_cut_in_the_app_and_whole_in_the_mail(default_sop, people):
    document = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK]), people, 5)
    reason = "Mohon perbaiki. " * 40
    document_transition(document=document, action=Action.RETURN, by=people[KASUBBAG], reason=reason)
    note = Notification.objects.filter(recipient=people[ANGGOTA]).latest("pk")
    assert len(note.message) == 300 and note.message.endswith("…")
    assert reason.strip() in OutgoingMail.objects.latest("pk").body


# The end is announced.


def test_finishing_tells_the_starter_and_the_signer(default_sop, people):
    starter = people[SEK]
    signer = make_user("sek2", starter.groups.get().name, first_name="Dua", last_name="Sekretaris", email="s2@x.org")
    Profile.objects.create(user=signer, nip="198001012005011099", jabatan="Sekretaris Dinas")
    document = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=starter), people, 6)
    document = document_transition(document=document, action=Action.APPROVE, by=signer, requirements_confirmed=True)
    OutgoingMail.objects.all().delete()
    finished = document_transition(
        document=document, action=Action.FINISH, by=people[KASUBBAG], requirements_confirmed=True, note="selesai"
    )
    told = Notification.objects.filter(document=finished, created_at__gte=finished.closed_at - timedelta(seconds=5))
    told = {n.recipient for n in told if n.read_at is None}
    assert told == {starter, signer}
    signed_on = date_format(timezone.localtime(finished.signed.signed_at).date(), "DATE_FORMAT")
    message = Notification.objects.filter(recipient=signer).latest("pk").message
    assert message == office_text(
        "%(title)s is finished; signed by %(name)s on %(date)s.", title="PK 2026", name="Dua Sekretaris", date=signed_on
    )
    mail = OutgoingMail.objects.get()
    assert sorted(mail.recipients) == sorted([starter.email, signer.email])
    assert mail.subject == office_text("[SAKIP] %(title)s is finished", title="PK 2026")
    # Whoever finished it is not told what they just did.
    assert not Notification.objects.filter(recipient=people[KASUBBAG], document=finished, read_at__isnull=True)


def test_the_starter_who_signs_hears_it_once(default_sop, people):
    document = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK]), people, 7)
    before = Notification.objects.filter(recipient=people[SEK]).count()
    document_transition(
        document=document, action=Action.FINISH, by=people[KASUBBAG], requirements_confirmed=True, note="selesai"
    )
    assert Notification.objects.filter(recipient=people[SEK]).count() == before + 1


# Mail only for those who want it.


def test_it_sends_mail_only_to_those_who_want_it(default_sop, people):
    colleague = make_user("sektim2", people[SEKTIM].groups.get().name, email="sektim2@example.org")
    Profile.objects.filter(user=people[SEKTIM]).update(email_notifications=False)
    document = start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK])
    hand_on(document, people[SEK])
    # Both are told in the app; only the colleague (no profile: the default, yes) by mail.
    assert unread(people[SEKTIM]) == 1 and unread(colleague) == 1
    assert OutgoingMail.objects.get().recipients == ["sektim2@example.org"]


def test_nobody_who_wants_mail_means_no_mail(default_sop, people):
    Profile.objects.filter(user=people[SEKTIM]).update(email_notifications=False)
    hand_on(start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK]), people[SEK])
    assert not OutgoingMail.objects.exists()
    assert unread(people[SEKTIM]) == 1


def test_the_daily_reminder_honours_the_choice(default_sop, people):
    document = hand_on(start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK]), people[SEK])
    later = document.step_started_at + timedelta(days=30)
    Profile.objects.filter(user=people[SEKTIM]).update(email_notifications=False)
    assert overdue_reminders_queue(now=later) == 0
    Profile.objects.filter(user=people[SEKTIM]).update(email_notifications=True)
    assert overdue_reminders_queue(now=later) == 1
