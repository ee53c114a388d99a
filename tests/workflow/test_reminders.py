"""The daily reminder: one mail per person listing their overdue tasks, in Indonesian, at most once a day."""

import threading
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from sakip.accounts.models import ActingAssignment
from sakip.workflow.models import Document, OutgoingMail
from sakip.workflow.outbox import outbox_send
from sakip.workflow.reminders import overdue_reminders_queue
from tests.conftest import advance, make_people, make_user, start_document

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
# A Thursday morning, when the timer runs.
NOW = datetime(2026, 1, 15, 7, 0, tzinfo=JAKARTA)


@pytest.fixture
def people(default_sop):
    people = make_people(default_sop)
    for person in people.values():
        person.email = f"{person.username}@example.org"
        person.save()
    return people


def waiting_since(document, started: datetime) -> Document:
    """The document has been at its current step since ``started``."""
    Document.objects.filter(pk=document.pk).update(step_started_at=started)
    document.refresh_from_db()
    return document


def at_step(default_sop, people, number: int, title: str, since: datetime) -> Document:
    document = start_document(sop=default_sop, title=title, year=2026, by=people["Sekretaris"])
    return waiting_since(advance(document, people, number), since)


def reminders() -> dict[str, OutgoingMail]:
    return {row.recipients[0]: row for row in OutgoingMail.objects.exclude(key="")}


def test_it_sends_each_person_one_mail_with_their_overdue_documents(default_sop, people, settings):
    sektim, anggota = people["Sek. Tim SAKIP"], people["Angg. Tim SAKIP"]
    # Step 2 takes 20 minutes: handed over yesterday at 09:00, it was due at 09:20.
    late = at_step(default_sop, people, 2, "PK Triwulan I", datetime(2026, 1, 14, 9, 0, tzinfo=JAKARTA))
    later = at_step(default_sop, people, 2, "PK Triwulan II", datetime(2026, 1, 13, 9, 0, tzinfo=JAKARTA))
    # Handed over ten minutes ago: due at 07:10, not late yet.
    at_step(default_sop, people, 2, "PK Triwulan III", datetime(2026, 1, 15, 6, 50, tzinfo=JAKARTA))
    # Step 3 takes one working day: handed over Monday 10:00, due Tuesday 10:00.
    drafted = at_step(default_sop, people, 3, "PK Tahunan", datetime(2026, 1, 12, 10, 0, tzinfo=JAKARTA))
    OutgoingMail.objects.all().delete()  # the hand-over mails

    assert overdue_reminders_queue(now=NOW) == 2
    sent = reminders()
    assert set(sent) == {sektim.email, anggota.email}

    mine = sent[sektim.email]
    assert mine.key == f"remind-overdue:2026-01-15:{sektim.pk}"
    assert mine.subject.startswith("[SAKIP] 2 ")
    # Oldest first, as on the home page; each with its step and its due date as the office writes it.
    assert mine.body.index("PK Triwulan II") < mine.body.index("PK Triwulan I\n")
    assert "PK Triwulan III" not in mine.body
    assert "14 Januari 2026" in mine.body and "13 Januari 2026" in mine.body
    step_2 = late.current_step
    assert f"{step_2.number}: {step_2.activity}" in mine.body
    assert f"{settings.SITE_URL}/dokumen/{late.pk}/" in mine.body
    assert f"{settings.SITE_URL}/dokumen/{later.pk}/" in mine.body
    assert "Sek. Tim SAKIP Lamongan" in mine.body  # the greeting names the person

    theirs = sent[anggota.email]
    assert "PK Tahunan" in theirs.body and "13 Januari 2026" in theirs.body
    assert f"/dokumen/{drafted.pk}/" in theirs.body
    assert "PK Triwulan" not in theirs.body

    # The outbox delivers them: one mail per person.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outbox_send()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([sektim.email, anggota.email])


def test_it_sends_nothing_when_nothing_is_overdue(default_sop, people):
    at_step(default_sop, people, 2, "PK Triwulan I", NOW - timedelta(minutes=10))
    OutgoingMail.objects.all().delete()
    assert overdue_reminders_queue(now=NOW) == 0
    assert not OutgoingMail.objects.exists()


def test_it_reminds_once_a_day_however_often_it_runs(default_sop, people):
    at_step(default_sop, people, 2, "PK Triwulan I", datetime(2026, 1, 14, 9, 0, tzinfo=JAKARTA))
    OutgoingMail.objects.all().delete()
    assert overdue_reminders_queue(now=NOW) == 1
    assert overdue_reminders_queue(now=NOW + timedelta(hours=3)) == 0
    out = StringIO()
    call_command("remind_overdue", stdout=out)  # today, for real: another day than NOW
    assert out.getvalue() == "Reminders queued: 1.\n"
    assert overdue_reminders_queue(now=NOW + timedelta(days=1)) == 1
    assert sorted(OutgoingMail.objects.values_list("key", flat=True))[:2] == [
        f"remind-overdue:2026-01-15:{people['Sek. Tim SAKIP'].pk}",
        f"remind-overdue:2026-01-16:{people['Sek. Tim SAKIP'].pk}",
    ]


def test_it_keys_the_day_on_local_time(default_sop, people):
    at_step(default_sop, people, 2, "PK Triwulan I", datetime(2026, 1, 14, 9, 0, tzinfo=JAKARTA))
    OutgoingMail.objects.all().delete()
    # 00:30 in Jakarta is still the previous evening in UTC: the reminder belongs to the Jakarta date.
    overdue_reminders_queue(now=datetime(2026, 1, 15, 0, 30, tzinfo=JAKARTA))
    assert OutgoingMail.objects.get().key.startswith("remind-overdue:2026-01-15:")


def test_it_writes_in_indonesian_whatever_language_is_active(default_sop, people):
    at_step(default_sop, people, 2, "PK Triwulan I", datetime(2026, 1, 14, 9, 0, tzinfo=JAKARTA))
    OutgoingMail.objects.all().delete()
    with translation.override("en"):
        overdue_reminders_queue(now=NOW)
    body = OutgoingMail.objects.get().body
    assert "14 Januari 2026" in body and "January" not in body


def test_it_reminds_an_acting_official_and_skips_people_without_an_address_or_account(default_sop, people):
    at_step(default_sop, people, 2, "PK Triwulan I", datetime(2026, 1, 14, 9, 0, tzinfo=JAKARTA))
    OutgoingMail.objects.all().delete()
    role = default_sop.steps.get(number=2).actor.group
    acting = make_user("plt", email="plt@example.org")
    ActingAssignment.objects.create(
        person=acting, role=role, jabatan="Sekretaris Tim", starts_on=date(2020, 1, 1), ends_on=date(2100, 1, 1)
    )
    no_address = make_user("tanpa-surel", role.name)
    gone = make_user("pensiun", role.name, email="pensiun@example.org", is_active=False)
    overdue_reminders_queue(now=NOW)
    recipients = set(reminders())
    assert recipients == {people["Sek. Tim SAKIP"].email, "plt@example.org"}
    assert no_address.email not in recipients and gone.email not in recipients


@pytest.mark.django_db(transaction=True)
def test_it_reminds_once_when_two_runs_overlap(default_sop):
    people = make_people(default_sop)
    for person in people.values():
        person.email = f"{person.username}@example.org"
        person.save()
    for run in range(3):
        at_step(default_sop, people, 2, f"PK {run}", datetime(2026, 1, 14, 9, 0, tzinfo=JAKARTA))
        OutgoingMail.objects.all().delete()
        barrier = threading.Barrier(2)
        counts: list[int] = []
        errors: list[BaseException] = []

        def remind(barrier=barrier, counts=counts, errors=errors, run=run):
            try:
                barrier.wait()
                counts.append(overdue_reminders_queue(now=NOW + timedelta(days=run)))
            except BaseException as exc:  # any error is a failure of the test
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=remind) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sorted(counts) == [0, 1]
        assert OutgoingMail.objects.count() == 1
