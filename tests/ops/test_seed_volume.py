"""manage.py seed_volume: many documents written in bulk, as the workflow would have left them."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from sakip.ops.volume import SEED_MARK
from sakip.performance.models import Measurement, Snapshot
from sakip.sops.models import Sop
from sakip.workflow.content import content_digest
from sakip.workflow.models import Attachment, Document, HistoryEntry, Notification, Signature
from sakip.workflow.services import content_binding
from tests.conftest import make_people, start_document

pytestmark = pytest.mark.django_db

COUNT = 200


@pytest.fixture
def seeded():
    call_command("seed_volume", "--documents", str(COUNT), stdout=StringIO())
    return Document.objects.all()


def test_it_seeds_the_documents_asked_for(seeded):
    assert seeded.count() == COUNT
    assert all(title.startswith(SEED_MARK) for title in seeded.values_list("title", flat=True))
    finished = seeded.filter(status=Document.Status.FINISHED).count()
    running = seeded.filter(status=Document.Status.ACTIVE).count()
    assert finished + running == COUNT
    # About 97 % finished: with 200 documents, between 180 and 199.
    assert 180 <= finished < COUNT


def test_it_spreads_them_over_several_sops_and_years(seeded):
    assert seeded.values("sop__slug").distinct().count() >= 4
    assert seeded.values("year").distinct().count() >= 3
    # Every SOP with documents is in use, so that editing it makes a new revision.
    assert not Sop.objects.filter(documents__isnull=False, in_use_since__isnull=True).exists()


def test_its_histories_pass_verify_history(seeded):
    out = StringIO()
    call_command("verify_history", stdout=out)
    assert f"OK: {COUNT} documents" in out.getvalue()


def test_a_finished_document_has_its_whole_history(seeded):
    for document in seeded.filter(status=Document.Status.FINISHED)[:50]:
        actions = list(document.history.order_by("pk").values_list("action", flat=True))
        assert actions[0] == HistoryEntry.Action.START
        assert actions[-1] == HistoryEntry.Action.FINISH
        assert HistoryEntry.Action.EDIT in actions
        assert document.version == len(actions) - 1
        assert document.closed_at is not None
        assert Signature.objects.filter(document=document).exists()
        assert Snapshot.objects.filter(measurement__document=document).exists()
        assert Attachment.objects.filter(document=document).exists()
        assert not document.measurement.indicator_results.filter(realisation__isnull=True).exists()
    # Now and then a draft went back.
    assert HistoryEntry.objects.filter(action=HistoryEntry.Action.RETURN).exists()


def test_the_digest_of_each_entry_is_the_content_as_it_stands(seeded):
    """The seeder computes the digests itself: they must be what sakip.workflow.content computes from the rows."""
    for document in seeded:
        last = document.history.order_by("-pk").first()
        assert last.content_sha256 == content_digest(document), document.pk


def test_what_was_signed_is_what_was_approved(seeded):
    for signature in Signature.objects.select_related("document", "entry")[:50]:
        binding = content_binding(signature.document, signature)
        assert binding is not None
        assert binding.same


def test_running_documents_wait_in_the_inboxes_of_their_step(seeded):
    running = seeded.filter(status=Document.Status.ACTIVE).select_related("current_step__actor")
    assert running.exists()
    for document in running:
        moved_by = document.history.exclude(action__in=HistoryEntry.CONTENT_CHANGES).order_by("-pk").first().by_id
        holders = set(
            User.objects.filter(groups=document.current_step.actor.group_id)
            .exclude(pk=moved_by)
            .values_list("pk", flat=True)
        )
        told = set(
            Notification.objects.filter(document=document, read_at__isnull=True).values_list("recipient", flat=True)
        )
        assert told == holders


def test_the_pages_open(client, seeded):
    admin = User.objects.get(username="admin")
    sekretaris = User.objects.get(username="sekretaris")
    anggota = User.objects.get(username="anggota")
    signed = Signature.objects.select_related("document").first().document
    running = seeded.filter(status=Document.Status.ACTIVE)

    client.force_login(sekretaris)
    assert client.get("/").status_code == 200
    assert client.get(f"/dokumen/{signed.pk}/").status_code == 200
    for document in running:
        assert client.get(f"/dokumen/{document.pk}/").status_code == 200
    response = client.get(f"/kinerja/dokumen/{signed.pk}/pengukuran.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get("/sop/pengukuran-kinerja/pdf/").status_code == 200

    client.force_login(admin)
    response = client.get("/dokumen/")
    assert response.status_code == 200
    assert SEED_MARK.strip() in response.text

    client.force_login(anggota)
    assert client.get("/dokumen/?status=finished").status_code == 200


def test_it_refuses_a_database_with_real_work(default_sop):
    people = make_people(default_sop)
    start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])

    with pytest.raises(CommandError, match="real work"):
        call_command("seed_volume", "--documents", "5", stdout=StringIO())
    assert Document.objects.count() == 1

    call_command("seed_volume", "--documents", "5", "--force", stdout=StringIO())
    assert Document.objects.count() == 6


def test_it_adds_to_what_it_seeded_before(seeded):
    call_command("seed_volume", "--documents", "10", stdout=StringIO())
    assert Document.objects.count() == COUNT + 10
    assert Measurement.objects.count() == COUNT + 10
    call_command("verify_history", stdout=StringIO())


def test_it_refuses_zero_documents(db):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_volume", "--documents", "0", stdout=StringIO())
