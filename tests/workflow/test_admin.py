"""Documents are never edited or deleted through the admin."""

import pytest

from sakip.workflow.models import Document
from tests.conftest import make_user, start_document


@pytest.mark.django_db
def test_it_shows_documents_read_only_in_the_admin(admin_client_, default_sop):
    starter = make_user("sek", default_sop.ordered_steps()[0].actor.group.name)
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=starter)
    assert admin_client_.get("/admin/workflow/document/").status_code == 200
    r = admin_client_.get(f"/admin/workflow/document/{doc.pk}/change/")
    assert r.status_code == 200
    assert "PK 2026" in r.text
    assert admin_client_.post(f"/admin/workflow/document/{doc.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client_.post(f"/admin/workflow/document/{doc.pk}/change/", {"title": "X"}).status_code == 403
    assert Document.objects.get().title == "PK 2026"
