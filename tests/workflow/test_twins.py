"""No accidental twins: a second document of the same SOP and year is started only on purpose."""

import re

import pytest
from django.utils import timezone

from sakip.workflow.models import Document
from sakip.workflow.twins import SHOWN, twins_of
from tests.conftest import a_pdf, make_people, make_user, start_document
from tests.sops.factories import make_sop

pytestmark = pytest.mark.django_db

NEW = "/dokumen/baru/pengukuran-kinerja/"


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


@pytest.fixture
def starter(client, people):
    client.force_login(people["Sekretaris"])
    return people["Sekretaris"]


def existing(sop, by, year=2026, title="Pengukuran Kinerja Tahun 2026"):
    return start_document(sop=sop, title=title, year=year, by=by)


def start_form(year="2026", **extra):
    return {"year": year, "title": "", "note": "", "requirements_confirmed": "on", "files": a_pdf(), **extra}


def finish(doc):
    # Straight to the end state: what matters here is the status, not the way there.
    Document.objects.filter(pk=doc.pk).update(
        status=Document.Status.FINISHED, current_step=None, closed_at=timezone.now()
    )


def cancel(doc):
    Document.objects.filter(pk=doc.pk).update(
        status=Document.Status.CANCELLED, current_step=None, closed_at=timezone.now()
    )


def twins_box(response) -> str:
    found = re.search(r'<div class="alert alert-warning" role="alert" id="twins">(.*?)</div>', response.text, re.S)
    return found.group(1) if found else ""


def test_it_starts_the_first_document_of_the_year_without_a_question(client, default_sop, starter):
    page = client.get(NEW)
    assert twins_box(page) == ""
    assert "twin_confirmed" not in page.text
    r = client.post(NEW, start_form())
    assert r.status_code == 302
    assert Document.objects.count() == 1


def test_it_lists_the_running_document_with_a_link_and_its_start_date(client, default_sop, starter):
    doc = existing(default_sop, starter)
    box = twins_box(client.get(NEW))
    assert f'href="/dokumen/{doc.pk}/"' in box
    assert doc.title in box
    assert timezone.localdate(doc.created_at).strftime("%Y") in box
    assert "Langkah 1 (Sekretaris)" in box


def test_it_shows_the_number_of_a_signed_document(client, default_sop, starter):
    doc = existing(default_sop, starter)
    if not hasattr(doc, "number"):
        pytest.skip("Document.number comes with the register")
    Document.objects.filter(pk=doc.pk).update(number="050/7/413.110/2026")
    finish(doc)
    box = twins_box(client.get(NEW))
    assert "050/7/413.110/2026" in box


def test_it_refuses_a_second_start_without_the_confirmation(client, default_sop, starter):
    existing(default_sop, starter)
    r = client.post(NEW, start_form())
    assert r.status_code == 200
    assert Document.objects.count() == 1
    # The refusal is at the confirmation box, and the list is there to read.
    assert re.search(r'id="id_twin_confirmed"[^>]*is-invalid|is-invalid[^>]*id="id_twin_confirmed"', r.text)
    assert "sudah ada" in r.text or "already exists" in r.text
    assert twins_box(r)


def test_it_starts_a_second_one_when_confirmed(client, default_sop, starter):
    existing(default_sop, starter)
    r = client.post(NEW, start_form(twin_confirmed="on"))
    assert r.status_code == 302
    assert Document.objects.count() == 2


def test_it_counts_a_finished_document(client, default_sop, starter):
    finish(existing(default_sop, starter))
    assert twins_box(client.get(NEW))
    assert client.post(NEW, start_form()).status_code == 200
    assert Document.objects.count() == 1


def test_it_ignores_a_cancelled_document(client, default_sop, starter):
    cancel(existing(default_sop, starter))
    assert twins_box(client.get(NEW)) == ""
    assert client.post(NEW, start_form()).status_code == 302
    assert Document.objects.count() == 2


def test_it_ignores_other_years(client, default_sop, starter):
    existing(default_sop, starter, year=2025, title="PK 2025")
    r = client.post(NEW, start_form(year="2026"))
    assert r.status_code == 302


def test_it_warns_about_the_year_that_was_posted(client, default_sop, starter):
    old = existing(default_sop, starter, year=2025, title="PK 2025")
    r = client.post(NEW, start_form(year="2025"))
    assert r.status_code == 200
    assert f'href="/dokumen/{old.pk}/"' in twins_box(r)


def test_it_keeps_the_bad_year_message_and_no_list(client, default_sop, starter):
    existing(default_sop, starter)
    r = client.post(NEW, start_form(year="dua ribu"))
    assert r.status_code == 200
    assert twins_box(r) == ""
    assert Document.objects.count() == 1


def test_it_counts_every_revision_of_the_same_sop():
    kepala = make_user("kepala", "Kepala")
    first = make_sop(slug="cuti")
    older = start_document(sop=first, title="Cuti 2026", year=2026, by=kepala)
    second = make_sop(slug="cuti")  # the next revision of the same SOP
    assert second.revision == first.revision + 1
    assert twins_of(second, 2026).documents == [older]
    other = make_sop(slug="lain")
    assert not twins_of(other, 2026)


def test_it_shows_a_few_and_links_to_the_rest(client, default_sop, starter):
    for n in range(SHOWN + 2):
        existing(default_sop, starter, title=f"PK {n}")
    box = twins_box(client.get(NEW))
    assert len(re.findall(r'href="/dokumen/\d+/"', box)) == SHOWN
    assert "/dokumen/?year=2026" in box
