"""manage.py verify_history: OK for an untouched history, the first broken link named otherwise."""

import contextlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sakip.workflow import records
from sakip.workflow.models import HistoryEntry
from tests.conftest import make_people, start_document
from tests.workflow.test_history_chain import journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


def verify() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_history", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="History NOT intact"):
        call_command("verify_history", stdout=io.StringIO(), stderr=err)
    return err.getvalue()


@contextlib.contextmanager
def guard_lifted():
    """What someone with the database's owner rights could do: drop the triggers, write, put them back."""
    records.uninstall(connection)
    try:
        yield connection.cursor()
    finally:
        records.install(connection)


def test_it_says_ok_after_a_real_journey(default_sop, people):
    journey(default_sop, people)
    start_document(sop=default_sop, title="PK 2025", year=2025, by=people["Sekretaris"])
    out, err = verify()
    assert out.strip() == "OK: 2 documents, 11 history entries, every chain intact."
    assert err == ""


def test_it_names_the_entry_whose_reason_was_rewritten(default_sop, people):
    doc = journey(default_sop, people)
    returned = doc.history.get(action="return")
    with guard_lifted() as cursor:
        cursor.execute("UPDATE workflow_historyentry SET reason = %s WHERE id = %s", ["Tidak ada", returned.pk])
    err = verify_fails()
    assert f"document {doc.pk}, entry {returned.pk}: hash mismatch" in err
    assert err.count("document ") == 1  # only the first broken link of the chain


def test_it_names_the_entry_after_a_deleted_one(default_sop, people):
    doc = journey(default_sop, people)
    entries = list(doc.history.order_by("pk"))
    # The hand-on at step 2: nothing else refers to it.
    gone, after = next((e, entries[i + 1]) for i, e in enumerate(entries) if e.step.number == 2)
    with guard_lifted() as cursor:
        cursor.execute("DELETE FROM workflow_historyentry WHERE id = %s", [gone.pk])
    err = verify_fails()
    assert f"document {doc.pk}, entry {after.pk}: prev_hash mismatch (expected {gone.prev_hash}" in err


def test_it_finds_an_entry_whose_hash_was_rewritten_too(default_sop, people):
    doc = journey(default_sop, people)
    entries = list(doc.history.order_by("pk"))
    victim, after = entries[3], entries[4]
    with guard_lifted() as cursor:
        cursor.execute("UPDATE workflow_historyentry SET note = 'x', hash = %s WHERE id = %s", ["0" * 64, victim.pk])
    err = verify_fails()
    assert f"document {doc.pk}, entry {victim.pk}: hash mismatch" in err
    assert f"entry {after.pk}" not in err


def test_it_names_a_document_that_lost_its_whole_history(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    with guard_lifted() as cursor:
        cursor.execute("DELETE FROM workflow_attachment WHERE document_id = %s", [doc.pk])
        cursor.execute("DELETE FROM workflow_historyentry WHERE document_id = %s", [doc.pk])
    assert not HistoryEntry.objects.filter(document=doc).exists()
    assert f"document {doc.pk}: no history entries" in verify_fails()


def test_it_fails_when_the_guard_is_gone(default_sop, people):
    start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    records.uninstall(connection, tables=["workflow_attachment"])
    try:
        err = verify_fails()
    finally:
        records.install(connection)
    assert "table workflow_attachment: the append-only guard (UPDATE/DELETE trigger) is missing" in err
    assert verify()[0].startswith("OK: 1 document, 1 history entry,")


def test_it_notices_entries_cut_off_the_end(default_sop, people):
    doc = journey(default_sop, people)
    *kept, finish = doc.history.order_by("pk")
    with guard_lifted() as cursor:
        cursor.execute("DELETE FROM workflow_historyentry WHERE id = %s", [finish.pk])
    err = verify_fails()
    assert f"document {doc.pk}, entry {kept[-1].pk}: entry count mismatch (expected {len(kept) + 1} entries" in err
