"""History entries, signatures and attachments cannot be changed or deleted, not even with plain SQL."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sakip.workflow import records
from sakip.workflow.models import Attachment, HistoryEntry, Signature
from tests.conftest import make_people, start_document

pytestmark = pytest.mark.django_db

# table, a text column of it
TABLES = [
    ("workflow_historyentry", "reason"),
    ("workflow_signature", "name"),
    ("workflow_attachment", "name"),
]


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


@pytest.fixture
def rows(default_sop, people):
    """One row in each guarded table: the start entry, its attachment, and a signature written straight in."""
    sekretaris = people["Sekretaris"]
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=sekretaris)
    entry = doc.history.get()
    signature = Signature.objects.create(
        document=doc,
        entry=entry,
        signer=sekretaris,
        name="Sekretaris Lamongan",
        jabatan="Sekretaris",
        nip="198001012005011001",
        place="Lamongan",
        signed_at=timezone.now(),
        token="token-for-the-trigger-test",
    )
    attachment = Attachment.objects.create(
        document=doc, entry=entry, step=entry.step, file="lampiran/x.pdf", name="x.pdf", size=1, uploaded_by=sekretaris
    )
    return {"workflow_historyentry": entry, "workflow_signature": signature, "workflow_attachment": attachment}


def refused(sql, params):
    with (
        pytest.raises(IntegrityError, match="sakip: history is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_it_has_the_guard_on_every_table():
    assert records.missing(connection) == []
    assert sorted(records.GUARDED_TABLES) == sorted(
        model._meta.db_table for model in (HistoryEntry, Signature, Attachment)
    )


@pytest.mark.parametrize(("table", "column"), TABLES)
def test_it_refuses_an_update_in_plain_sql(rows, table, column):
    row = rows[table]
    before = getattr(row, column)
    refused(f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s', ["rewritten", row.pk])  # noqa: S608 (TABLES)
    row.refresh_from_db()
    assert getattr(row, column) == before


@pytest.mark.parametrize(("table", "column"), TABLES)
def test_it_refuses_a_delete_in_plain_sql(rows, table, column):
    row = rows[table]
    refused(f'DELETE FROM "{table}" WHERE id = %s', [row.pk])  # noqa: S608 (names from TABLES)
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(("table", "column"), TABLES)
def test_it_refuses_an_update_through_the_orm(rows, table, column):
    row = rows[table]
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**{column: "rewritten"})


@pytest.mark.parametrize("table", ["workflow_signature", "workflow_attachment"])
def test_it_refuses_a_delete_through_the_orm(rows, table):
    # (A history entry is refused earlier still: its attachments and signature PROTECT it.)
    row = rows[table]
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        row.delete()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_it_still_lets_rows_be_added(rows):
    entry = rows["workflow_historyentry"]
    before = Attachment.objects.count()
    Attachment.objects.create(
        document=entry.document, entry=entry, step=entry.step, file="a.pdf", name="a.pdf", size=1, uploaded_by=entry.by
    )
    assert Attachment.objects.count() == before + 1


def test_it_tells_when_a_guard_is_gone():
    records.uninstall(connection, tables=["workflow_signature"])
    try:
        assert records.missing(connection) == ["workflow_signature"]
    finally:
        records.install(connection)
    assert records.missing(connection) == []
