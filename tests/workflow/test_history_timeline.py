"""The timeline prints people as they were when they acted: renaming someone rewrites no past entry."""

import pytest

from sakip.workflow.services import document_transition
from tests.conftest import advance, make_people, start_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


def rename(user, first_name, last_name, jabatan):
    user.first_name, user.last_name = first_name, last_name
    user.save()
    user.profile.jabatan = jabatan
    user.profile.save()


def test_it_shows_the_names_as_they_were_after_a_rename(client, default_sop, people):
    sekretaris, kasubbag = people["Sekretaris"], people["Kasubbag. Program dan Evaluasi"]
    sekretaris.profile.jabatan = "Sekretaris Dinas"
    sekretaris.profile.save()
    doc = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=sekretaris), people, 5)
    document_transition(document=doc, action="return", by=kasubbag, reason="Target salah")

    rename(sekretaris, "Budi", "Baru", "Kepala Dinas")
    rename(kasubbag, "Dewi", "Anyar", "Sekretaris")
    client.force_login(people["Angg. Tim SAKIP"])
    page = client.get(f"/dokumen/{doc.pk}/").text

    assert "Budi Baru" not in page
    assert "Dewi Anyar" not in page
    assert "Kepala Dinas" not in page
    assert "Sekretaris Lamongan, Sekretaris Dinas" in page  # the timeline, as it was
    assert page.count("Kasubbag. Program dan Evaluasi Lamongan") >= 2  # the return on top, and in the timeline


def test_it_shows_who_handed_over_as_they_were(client, default_sop, people):
    sekretaris = people["Sekretaris"]
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=sekretaris)
    advance(doc, people, 2)
    rename(sekretaris, "Budi", "Baru", "Kepala Dinas")
    client.force_login(people["Sek. Tim SAKIP"])
    page = client.get("/").text
    assert "PK 2026" in page
    assert "Sekretaris Lamongan" in page
    assert "Budi Baru" not in page
