"""Documents signed at the same moment get distinct numbers, with no gap, on SQLite and PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from sakip.accounts.models import Profile
from sakip.workflow.models import Document, RegisterCounter, RegisterEntry, Signature
from sakip.workflow.services import document_transition
from tests.conftest import advance, make_people, make_user, start_document

SIGNERS = 4


@pytest.mark.django_db(transaction=True)
def test_simultaneous_signings_get_distinct_numbers(default_sop):
    people = make_people(default_sop)
    signers = [people["Sekretaris"]]
    for i in range(1, SIGNERS):
        signer = make_user(f"sek{i}", "Sekretaris", first_name=f"Sekretaris{i}", last_name="Lamongan")
        Profile.objects.create(user=signer, nip=f"19800101200501{i + 2000:04d}", jabatan="Sekretaris")
        signers.append(signer)
    docs = [
        advance(start_document(sop=default_sop, title=f"PK {i}", year=2026, by=people["Sekretaris"]), people, 6)
        for i in range(SIGNERS)
    ]
    barrier = threading.Barrier(SIGNERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def sign(doc, signer):
        try:
            barrier.wait()
            document_transition(
                document=Document.objects.get(pk=doc.pk),
                action="approve",
                by=signer,
                requirements_confirmed=True,
                signature_confirmed=True,
            )
            result = "signed"
        except Exception as exc:  # any error is a failure of the test
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=sign, args=(doc, signer)) for doc, signer in zip(docs, signers, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert outcomes == ["signed"] * SIGNERS
    year = timezone.localdate().year
    entries = list(RegisterEntry.objects.order_by("sequence"))
    assert [e.sequence for e in entries] == list(range(1, SIGNERS + 1))  # distinct, and no gap
    assert sorted(Document.objects.values_list("number", flat=True)) == sorted(e.number for e in entries)
    assert len({e.document_id for e in entries}) == SIGNERS
    assert RegisterCounter.objects.get(year=year).last == SIGNERS
    assert Signature.objects.count() == SIGNERS
