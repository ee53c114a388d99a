"""The admin shows the record and never offers to change or delete it."""

import pytest
from django.utils import timezone

from sakip.workflow.models import Attachment, Signature
from tests.conftest import make_people, start_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(default_sop):
    people = make_people(default_sop)
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    Signature.objects.create(
        document=doc,
        entry=doc.history.get(),
        signer=people["Sekretaris"],
        name="Sekretaris Lamongan",
        jabatan="Sekretaris",
        nip="198001012005011001",
        place="Lamongan",
        signed_at=timezone.now(),
        token="admin-test-token",
    )
    return doc


def test_it_shows_the_chain_in_the_documents_history(admin_client_, document):
    entry = document.history.get()
    r = admin_client_.get(f"/admin/workflow/document/{document.pk}/change/")
    assert r.status_code == 200
    assert entry.hash in r.text
    assert entry.by_name in r.text
    assert 'name="history-0-reason"' not in r.text  # shown, not editable


@pytest.mark.parametrize("model", [Attachment, Signature])
def test_it_offers_no_change_and_no_delete(admin_client_, document, model):
    row = model.objects.filter(document=document).first()
    url = f"/admin/workflow/{model._meta.model_name}/"
    changelist = admin_client_.get(url)
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.text
    assert admin_client_.post(f"{url}{row.pk}/change/", {"name": "X"}).status_code == 403
    assert admin_client_.post(f"{url}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client_.post(url, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert model.objects.filter(pk=row.pk).exists()
    assert model.objects.get(pk=row.pk).name == row.name
