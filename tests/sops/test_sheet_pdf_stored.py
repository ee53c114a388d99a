"""The sheet PDF of a revision in use is made once and served as stored; a draft revision is made on request."""

import pytest

from sakip.sops import views
from sakip.sops.models import Sop
from tests.conftest import make_people, start_document

pytestmark = pytest.mark.django_db

URL = "/sop/pengukuran-kinerja/pdf/"


@pytest.fixture
def renders(monkeypatch):
    """Counts the renders; each gives different bytes, so a stored copy is told from a new render."""
    made = []

    def render(template, context, **kwargs):
        made.append(template)
        return b"%PDF-1.7\n% render " + str(len(made)).encode() + b"\n%%EOF\n"

    monkeypatch.setattr(views, "render_pdf", render)
    return made


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_it_renders_a_revision_not_in_use_on_every_request(client, default_sop, staff_client, renders):
    assert default_sop.in_use_since is None
    assert body(staff_client.get(URL)) != body(staff_client.get(URL))
    assert len(renders) == 2
    assert not Sop.objects.get(pk=default_sop.pk).sheet_pdf


def test_it_stores_the_pdf_of_a_revision_in_use_and_serves_it_unchanged(default_sop, staff_client, renders):
    people = make_people(default_sop)
    start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    first = body(staff_client.get(URL))
    again = [body(staff_client.get(URL)) for _ in range(3)]
    assert len(renders) == 1
    assert again == [first] * 3
    assert Sop.objects.get(pk=default_sop.pk).sheet_pdf


def test_it_makes_the_pdf_again_when_the_stored_file_is_lost(default_sop, staff_client, renders):
    people = make_people(default_sop)
    start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    staff_client.get(URL)
    sop = Sop.objects.get(pk=default_sop.pk)
    sop.sheet_pdf.storage.delete(sop.sheet_pdf.name)
    response = staff_client.get(URL)
    assert response.status_code == 200 and body(response).startswith(b"%PDF")
    assert body(staff_client.get(URL)) == body(response)  # stored again
    assert len(renders) == 2
