"""Two people acting on the same step at once: exactly one succeeds, on SQLite and PostgreSQL."""

import threading

import pytest
from django.db import connection

from sakip.workflow.models import Document, HistoryEntry
from sakip.workflow.services import DocumentMovedOn, document_transition
from tests.conftest import a_pdf, make_user, start_document

THREADS = 16
RUNS = 20


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_sixteen_simultaneous_actions_through(default_sop):
    first_actor = default_sop.ordered_steps()[0].actor
    people = [make_user(f"s{i}", first_actor.group.name) for i in range(THREADS)]
    for run in range(RUNS):
        doc = start_document(sop=default_sop, title=f"PK {run}", year=2026, by=people[0])
        seen = Document.objects.get(pk=doc.pk)  # every thread acts on the same view of it
        barrier = threading.Barrier(THREADS)
        outcomes: list[str] = []
        lock = threading.Lock()

        def act(person, seen=seen, barrier=barrier, outcomes=outcomes, lock=lock):
            try:
                barrier.wait()
                try:
                    document_transition(
                        document=seen,
                        action=HistoryEntry.Action.COMPLETE,
                        by=person,
                        requirements_confirmed=True,
                        note="Disposisi",
                        files=[a_pdf()],
                    )
                    result = "moved"
                except DocumentMovedOn:
                    result = "refused"
                except Exception as exc:  # any other error is a failure of the test
                    result = f"error: {exc!r}"
                with lock:
                    outcomes.append(result)
            finally:
                connection.close()

        threads = [threading.Thread(target=act, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        assert sorted(outcomes) == ["moved"] + ["refused"] * (THREADS - 1), f"run {run}: {outcomes}"
        doc.refresh_from_db()
        assert doc.current_step.number == 2
        assert doc.version == 1
        assert list(doc.history.values_list("action", flat=True)) == ["start", "complete"]
        assert doc.attachments.count() == 2  # the incoming letter and one disposition
