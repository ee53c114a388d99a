"""Entries written before the chain existed get their names and their chain from the migration."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sakip.workflow import records
from sakip.workflow.history import GENESIS, entry_hash
from sakip.workflow.models import HistoryEntry
from tests.conftest import make_people, make_user

BEFORE = ("workflow", "0002_signature")


@pytest.mark.django_db(transaction=True)
def test_it_chains_the_entries_written_before_the_chain(default_sop):
    people = make_people(default_sop)
    sekretaris, anggota = people["Sekretaris"], people["Angg. Tim SAKIP"]
    steps = {s.number: s for s in default_sop.ordered_steps()}
    plt = make_user("plt", first_name="Budi", last_name="Santoso")
    executor = MigrationExecutor(connection)
    before = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "workflow"] + [BEFORE]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Document, Entry = old.get_model("workflow", "Document"), old.get_model("workflow", "HistoryEntry")
    Acting = old.get_model("accounts", "ActingAssignment")
    Acting.objects.create(
        person_id=plt.pk,
        role_id=steps[1].actor.group_id,
        jabatan="Sekretaris Dinas",
        prefix="Plt.",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 31),
    )
    at = dt.datetime(2026, 3, 2, 1, 0, 0, 654321, tzinfo=dt.UTC)
    docs = [  # a version for each hand-on, as the services keep it
        Document.objects.create(
            sop_id=default_sop.pk,
            title=f"PK {n}",
            year=2026,
            current_step_id=steps[1 + version].pk,
            version=version,
            created_by_id=sekretaris.pk,
        )
        for n, version in ((1, 2), (2, 0))
    ]

    def entry(doc, by, number, action, minutes):
        return Entry.objects.create(
            document_id=doc.pk,
            action=action,
            step_id=steps[number].pk,
            actor_id=steps[number].actor_id,
            by_id=by.pk,
            to_step_id=steps[number].pk,
            step_started_at=at,
            step_ended_at=at + dt.timedelta(minutes=minutes),
            standard_duration=10,
            standard_unit="minutes",
        )

    written = [
        entry(docs[0], sekretaris, 1, "start", 0),
        entry(docs[1], plt, 1, "start", 1),
        entry(docs[0], sekretaris, 1, "complete", 2),
        entry(docs[0], anggota, 2, "complete", 3),
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    chains = {
        doc.pk: list(HistoryEntry.objects.filter(document_id=doc.pk).select_related("step").order_by("pk"))
        for doc in docs
    }
    first, second = chains[docs[0].pk], chains[docs[1].pk]
    assert [e.pk for e in first] == [written[0].pk, written[2].pk, written[3].pk]
    assert [(e.by_name, e.by_jabatan) for e in first] == [
        ("Sekretaris Lamongan", "Sekretaris"),
        ("Sekretaris Lamongan", "Sekretaris"),
        ("Angg. Tim SAKIP Lamongan", "Angg. Tim SAKIP"),
    ]
    assert (second[0].by_name, second[0].by_jabatan) == ("Budi Santoso", "Plt. Sekretaris Dinas")
    for chain in (first, second):
        assert chain[0].prev_hash == GENESIS
        assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]
        for e in chain:
            assert e.content_sha256 == ""
            assert e.hash == entry_hash(e, step_number=e.step.number, prev_hash=e.prev_hash)
    assert records.missing(connection) == []
    out = io.StringIO()
    call_command("verify_history", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("OK: 2 documents, 4 history entries")
