"""The work is where the eye is: at a content step the realisation comes first in the step box, a refusal names
the missing indicators with links to their rows, and the lists tell documents of the same title apart."""

import re
from types import SimpleNamespace

import pytest
from django.utils.formats import date_format
from django.utils.timezone import localtime

from sakip.performance.models import IndicatorResult
from sakip.performance.receivers import NAMED_AT_MOST, missing_realisations_message
from sakip.workflow.models import Document
from tests.conftest import advance, make_people, start_document

pytestmark = pytest.mark.django_db

ANGGOTA, KASUBBAG = "Angg. Tim SAKIP", "Kasubbag. Program dan Evaluasi"


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


@pytest.fixture
def at_draft_step(default_sop, people):
    """At step 4, the last content step: handing on from it needs every realisation."""
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    return advance(doc, people, 4)


def hand_on(client, doc):
    return client.post(
        f"/dokumen/{doc.pk}/aksi/",
        {"action": "complete", "version": doc.version, "requirements_confirmed": "on", "note": "draf"},
    )


def test_it_names_each_missing_indicator_with_a_link_to_its_row(client, at_draft_step, people):
    doc = at_draft_step
    results = list(IndicatorResult.objects.filter(measurement__document=doc).in_sheet_order())
    missing = results[1:4]
    IndicatorResult.objects.filter(pk__in=[r.pk for r in missing]).update(realisation=None)
    client.force_login(people[ANGGOTA])
    r = hand_on(client, doc)
    assert r.status_code == 400
    refusal = re.search(r'<span id="missing-realisations">(.*?)</span>', r.text, re.S).group(1)
    assert "(3 " in refusal
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', refusal)
    assert links == [(f"/kinerja/dokumen/{doc.pk}/realisasi/#indicator-{m.pk}", m.name) for m in missing]
    assert Document.objects.get(pk=doc.pk).current_step.number == 4
    # Each link has its row to land on.
    form = client.get(f"/kinerja/dokumen/{doc.pk}/realisasi/").text
    for result in results:
        assert f'<tr id="indicator-{result.pk}">' in form


def test_it_escapes_the_names_it_links(client, at_draft_step, people):
    doc = at_draft_step
    result = IndicatorResult.objects.filter(measurement__document=doc).in_sheet_order().first()
    IndicatorResult.objects.filter(pk=result.pk).update(realisation=None, name='<img src=x onerror="alert(1)">')
    client.force_login(people[ANGGOTA])
    r = hand_on(client, doc)
    assert r.status_code == 400
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</a>" in r.text
    assert "<img src=x" not in r.text


def test_it_names_ten_and_counts_the_rest():
    document = SimpleNamespace(pk=7)
    missing = [SimpleNamespace(pk=i, name=f"Indikator {i}") for i in range(1, 14)]
    message = str(missing_realisations_message(document, missing))
    assert message.count("<a href=") == NAMED_AT_MOST == 10
    assert "(13 " in message
    assert "Indikator 10</a>" in message and "Indikator 11" not in message
    assert " 3 " in message.rsplit("</a>", 1)[1]  # "… and 3 more."


def test_it_puts_the_realisation_first_in_the_step_box_for_the_holder(client, default_sop, people):
    doc = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"]), people, 3)
    client.force_login(people[ANGGOTA])
    page = client.get(f"/dokumen/{doc.pk}/").text
    # First thing in the step box, before the step's text and its action form.
    assert re.search(r'<div class="card-body">\s*<div class="step-work[^"]*" id="step-work">', page)
    work = page.index('id="step-work"')
    assert work < page.index('id="action-form"')
    realisation = f'href="/kinerja/dokumen/{doc.pk}/realisasi/"'
    assert page.count(realisation) == 1 and work < page.index(realisation)
    assert page.count('id="id_upload_file"') == 1 and work < page.index('id="id_upload_file"')
    assert page.count(f'href="/kinerja/dokumen/{doc.pk}/templat.xlsx"') == 1
    assert re.search(r'id="realisation-progress">[^<]*\b0\b[^<]*\b6\b', page)  # "0 of 6 filled in"
    IndicatorResult.objects.filter(pk__in=doc.measurement.indicator_results.values("pk")[:2]).update(realisation=1)
    page = client.get(f"/dokumen/{doc.pk}/").text
    assert re.search(r'id="realisation-progress">[^<]*\b2\b[^<]*\b6\b', page)


def test_it_shows_no_step_work_to_someone_who_may_not_edit(client, default_sop, people):
    doc = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"]), people, 5)
    client.force_login(people[KASUBBAG])
    page = client.get(f"/dokumen/{doc.pk}/").text
    assert 'id="action-form"' in page
    assert 'id="step-work"' not in page and 'id="id_upload_file"' not in page
    assert "/realisasi/" not in page


def test_the_lists_tell_documents_of_one_title_apart_by_start_date(client, default_sop, people):
    docs = [start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"]) for _ in range(2)]
    started = date_format(localtime(docs[0].created_at).date(), "DATE_FORMAT")
    client.force_login(people["Sekretaris"])
    for address in ("/", "/dokumen/"):
        page = client.get(address).text
        assert page.count('<span class="document-started">') == 2, address
        assert f"{started}</span>" in page


def test_the_lists_show_the_document_number_once_it_has_one(client, default_sop, people):
    if "number" not in {field.name for field in Document._meta.fields}:
        pytest.skip("Document.number comes with the signing work (issue 10)")
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    Document.objects.filter(pk=doc.pk).update(number="050/17/413.110/2026")
    client.force_login(people["Sekretaris"])
    for address in ("/", "/dokumen/"):
        page = client.get(address).text
        assert '<span class="document-number">050/17/413.110/2026</span>' in page, address
        assert 'class="document-started"' not in page
