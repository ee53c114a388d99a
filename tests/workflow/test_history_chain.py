"""Each history entry freezes who acted and is chained by SHA-256 to the entry before it."""

import datetime as dt
import itertools
import zoneinfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sakip.accounts.models import ActingAssignment
from sakip.workflow import history
from sakip.workflow.content import content_digest
from sakip.workflow.history import GENESIS, entry_hash, history_append
from sakip.workflow.models import Document, HistoryEntry
from sakip.workflow.services import document_transition
from tests.conftest import advance, make_people, make_user, start_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


def journey(sop, people) -> Document:
    """The whole way: start, hand on, a return at step 5, approve, sign, finish."""
    doc = start_document(sop=sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])
    doc = advance(doc, people, 5)
    doc = document_transition(
        document=doc, action="return", by=people[doc.current_step.actor.name], reason="Target indikator 2 salah"
    )
    doc = advance(doc, people, 7)
    return document_transition(
        document=doc, action="finish", by=people[doc.current_step.actor.name], requirements_confirmed=True, note="Arsip"
    )


def chain_of(document) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(document=document).select_related("step").order_by("pk"))


def test_it_chains_every_entry_to_the_one_before(default_sop, people):
    doc = journey(default_sop, people)
    assert doc.status == Document.Status.FINISHED
    entries = chain_of(doc)
    assert [e.action for e in entries] == [
        "start", "complete", "complete", "complete", "complete", "return", "complete", "approve", "approve", "finish"
    ]  # fmt: skip
    assert entries[0].prev_hash == GENESIS
    for before, entry in itertools.pairwise(entries):
        assert entry.prev_hash == before.hash
    for entry in entries:  # read back from the database, hashed again: the same
        assert len(entry.hash) == 64
        assert entry.hash == entry_hash(entry, step_number=entry.step.number, prev_hash=entry.prev_hash)
    assert len({e.hash for e in entries}) == len(entries)


def test_it_hashes_exactly_what_the_database_gives_back(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    step = doc.current_step
    jakarta = zoneinfo.ZoneInfo("Asia/Jakarta")
    times = [
        (dt.datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=jakarta), dt.datetime(2026, 3, 2, 8, 0, 1, 1, tzinfo=jakarta)),
        (dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), dt.datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=dt.UTC)),
    ]
    for started, ended in times:
        with transaction.atomic():
            written = history_append(
                document=doc,
                action="complete",
                step=step,
                actor=step.actor,
                by=people["Sekretaris"],
                note="Catatan dengan é dan 漢字",
                to_step=step,
                step_started_at=started,
                step_ended_at=ended,
                standard_duration=step.duration,
                standard_unit=step.duration_unit,
            )
        read = HistoryEntry.objects.get(pk=written.pk)
        assert read.step_started_at == started
        assert read.step_ended_at == ended
        assert entry_hash(read, step_number=step.number, prev_hash=read.prev_hash) == written.hash == read.hash


def test_it_keeps_each_documents_chain_apart(default_sop, people):
    first = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    second = start_document(sop=default_sop, title="PK 2025", year=2025, by=people["Sekretaris"])
    advance(first, people, 3)
    advance(second, people, 2)
    for doc in (first, second):
        entries = chain_of(doc)
        assert entries[0].prev_hash == GENESIS
        assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]


def test_it_freezes_the_name_and_position_as_they_were(default_sop, people):
    sekretaris = people["Sekretaris"]
    sekretaris.profile.jabatan = "Sekretaris Dinas Tenaga Kerja"
    sekretaris.profile.save()
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=sekretaris)
    entry = doc.history.get()
    assert (entry.by_name, entry.by_jabatan) == ("Sekretaris Lamongan", "Sekretaris Dinas Tenaga Kerja")

    # Without a full name or a profile: the username, and no position.
    anggota = make_user("sri", "Sekretaris Tim SAKIP")
    doc = advance(doc, {**people, "Sek. Tim SAKIP": anggota}, 3)
    entry = doc.history.order_by("pk").last()
    assert (entry.by_name, entry.by_jabatan) == ("sri", "")


def test_it_records_an_acting_official_with_the_prefix(default_sop, people):
    sekretaris_role = default_sop.ordered_steps()[0].actor.group
    today = timezone.localdate()
    plt = make_user("plt", first_name="Budi", last_name="Santoso")
    ActingAssignment.objects.create(
        person=plt,
        role=sekretaris_role,
        jabatan="Sekretaris Dinas",
        prefix="Plt.",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=1),
    )
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=plt)
    entry = doc.history.get()
    assert (entry.by_name, entry.by_jabatan) == ("Budi Santoso", "Plt. Sekretaris Dinas")


def test_it_records_the_digest_of_the_content(default_sop, people):
    doc = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"]), people, 5)
    entry = doc.history.order_by("pk").last()
    assert entry.content_sha256 == content_digest(doc)
    assert len(entry.content_sha256) == 64


def test_it_refuses_a_fork_and_an_unchained_entry(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    start = doc.history.get()
    values = {f.attname: getattr(start, f.attname) for f in HistoryEntry._meta.concrete_fields if not f.primary_key}
    with pytest.raises(IntegrityError), transaction.atomic():
        HistoryEntry.objects.create(**{**values, "hash": "f" * 64})  # a second successor of GENESIS
    with pytest.raises(IntegrityError), transaction.atomic():
        HistoryEntry.objects.create(**{**values, "prev_hash": start.hash, "hash": ""})  # not chained


def test_it_costs_one_query_to_chain_an_entry(default_sop, people, monkeypatch, django_assert_num_queries):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    step = doc.current_step
    monkeypatch.setattr(history, "content_digest", lambda document: "c" * 64)  # the content app's own cost
    now = timezone.now()
    with transaction.atomic(), django_assert_num_queries(2):  # the person and the previous hash; the INSERT
        history_append(
            document=doc,
            action="complete",
            step=step,
            actor=step.actor,
            by=people["Sekretaris"],
            to_step=step,
            step_started_at=now,
            step_ended_at=now,
            standard_duration=1,
            standard_unit="minutes",
        )


@pytest.mark.django_db(transaction=True)
def test_it_appends_only_inside_the_transaction_that_claimed_the_document(default_sop):
    # Also ends with the flush of a transactional test over guarded rows (tests/conftest.py lifts the guard).
    people = make_people(default_sop)
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    step = doc.current_step
    now = timezone.now()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        history_append(
            document=doc,
            action="complete",
            step=step,
            actor=step.actor,
            by=people["Sekretaris"],
            to_step=step,
            step_started_at=now,
            step_ended_at=now,
            standard_duration=1,
            standard_unit="minutes",
        )
    assert doc.history.count() == 1
