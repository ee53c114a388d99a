"""Signing is deliberate on the page; step 7 records the distribution; the register lists it all, per year."""

import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from sakip.workflow.models import Distribution, Document, RegisterEntry, Signature
from sakip.workflow.services import document_transition
from tests.conftest import advance, make_people, make_user, start_document

pytestmark = pytest.mark.django_db

SEKRETARIS, KASUBBAG = "Sekretaris", "Kasubbag. Program dan Evaluasi"


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


@pytest.fixture
def at_signature(default_sop, people):
    return advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEKRETARIS]), people, 6)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def act(client, doc, action, **data):
    return client.post(f"/dokumen/{doc.pk}/aksi/", {"action": action, "version": doc.version, **data})


def signed_document(client, people, doc):
    client.force_login(people[SEKRETARIS])
    r = act(client, doc, "approve", requirements_confirmed="on", signature_confirmed="on")
    assert r.status_code == 302
    return Document.objects.get(pk=doc.pk)


# --- the signature step ---------------------------------------------------------------------------------------------


def test_the_signer_sees_the_preview_and_the_block_as_it_will_print(english, at_signature, people):
    english.force_login(people[SEKRETARIS])
    r = english.get(at_signature.get_absolute_url())
    assert f'href="/dokumen/{at_signature.pk}/pratinjau/"' in r.text
    for shown in ("a.n. KEPALA DINAS TENAGA KERJA", "Sekretaris Lamongan", "NIP. 19800101 200501 1 001"):
        assert shown in r.text
    assert 'name="signature_confirmed"' in r.text
    assert "I have checked the preview and I sign this document" in r.text
    assert ">\n              Sign\n" in r.text or "Sign\n            </button>" in r.text
    assert "Return\n" in r.text and "Return for correction" not in r.text


def test_the_decision_before_says_approve_and_initial(english, default_sop, people):
    doc = advance(start_document(sop=default_sop, title="PK", year=2026, by=people[SEKRETARIS]), people, 5)
    english.force_login(people[KASUBBAG])
    r = english.get(doc.get_absolute_url())
    assert "Approve and initial" in r.text
    assert 'name="signature_confirmed"' not in r.text  # only the signature step asks
    assert "pratinjau" not in r.text


def test_the_sign_button_refuses_without_the_tick(english, at_signature, people):
    english.force_login(people[SEKRETARIS])
    r = act(english, at_signature, "approve", requirements_confirmed="on")
    assert r.status_code == 400
    assert "Tick the box to confirm that you checked the preview and sign the document." in r.text
    assert not Signature.objects.exists() and not RegisterEntry.objects.exists()
    assert Document.objects.get(pk=at_signature.pk).current_step.number == 6


def test_with_the_tick_it_signs_and_the_page_shows_the_number(english, at_signature, people):
    doc = signed_document(english, people, at_signature)
    year = timezone.localdate().year
    assert doc.number == f"050/1/413.110/{year}"
    r = english.get(doc.get_absolute_url())
    assert f"050/1/413.110/{year}" in r.text
    assert "a.n. KEPALA DINAS TENAGA KERJA" in r.text


def test_returning_at_the_signature_step_needs_no_tick(english, at_signature, people):
    english.force_login(people[SEKRETARIS])
    r = act(english, at_signature, "return", reason="Perbaiki target")
    assert r.status_code == 302
    assert Document.objects.get(pk=at_signature.pk).current_step.number == 4


def test_the_signature_step_page_reads_a_fixed_number_of_times(client, at_signature, people):
    client.force_login(people[SEKRETARIS])
    client.get(at_signature.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        assert client.get(at_signature.get_absolute_url()).status_code == 200
    # The page at this step reads 12 times (the content's digest for "approved = signed" reads the measurement
    # again); the signer's block adds their profile, their acting assignment and the paraf's profile.
    assert len(captured.captured_queries) <= 15, [q["sql"][:120] for q in captured.captured_queries]


# --- the preview -----------------------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_preview_is_the_pdf_that_will_be_signed(client, at_signature, people):
    client.force_login(people[SEKRETARIS])
    r = client.get(f"/dokumen/{at_signature.pk}/pratinjau/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Cache-Control"] == "no-store"
    assert r.content.startswith(b"%PDF")
    text = pdf_text(r.content)
    assert "Sekretaris Lamongan" in text
    assert "PK 2026".upper() in text.upper() or "PENGUKURAN KINERJA" in text
    # Looking changes nothing.
    assert not Signature.objects.exists() and not RegisterEntry.objects.exists()
    assert Document.objects.get(pk=at_signature.pk).version == at_signature.version


def test_only_who_may_sign_now_gets_a_preview(client, at_signature, people):
    client.force_login(people[KASUBBAG])
    assert client.get(f"/dokumen/{at_signature.pk}/pratinjau/").status_code == 404
    outsider = make_user("luar")
    client.force_login(outsider)
    assert client.get(f"/dokumen/{at_signature.pk}/pratinjau/").status_code == 404
    signed_document(client, people, at_signature)
    assert client.get(f"/dokumen/{at_signature.pk}/pratinjau/").status_code == 404  # signed: nothing to preview


# --- step 7: the distribution ---------------------------------------------------------------------------------


def test_step_7_asks_for_recipients_copies_and_date_and_shows_them(english, at_signature, people):
    doc = signed_document(english, people, at_signature)
    english.force_login(people[KASUBBAG])
    r = english.get(doc.get_absolute_url())
    for field in ('name="recipients"', 'name="copies"', 'name="distributed_on"'):
        assert field in r.text
    assert f'value="{timezone.localdate().isoformat()}"' in r.text  # today by default

    r = act(english, doc, "finish", note="Digandakan")
    assert r.status_code == 400
    for message in ("Name who received the document.", "Say how many copies were made."):
        assert message in r.text

    r = act(english, doc, "finish", note="Digandakan", recipients="Bupati", copies="-2", distributed_on="2026-01-01")
    assert r.status_code == 400 and not Distribution.objects.exists()

    today = timezone.localdate().isoformat()
    r = act(
        english,
        doc,
        "finish",
        requirements_confirmed="on",
        note="Digandakan",
        recipients="Bupati Lamongan",
        copies="3",
        distributed_on=today,
    )
    assert r.status_code == 302
    distribution = Distribution.objects.get()
    assert (distribution.recipients, distribution.copies) == ("Bupati Lamongan", 3)
    r = english.get(doc.get_absolute_url())
    assert "3 copies to" in r.text and "Bupati Lamongan" in r.text


def test_the_date_comes_filled_in_with_today_in_indonesian_too(client, at_signature, people):
    doc = signed_document(client, people, at_signature)
    client.force_login(people[KASUBBAG])
    r = client.get(doc.get_absolute_url())
    assert f'name="distributed_on" value="{timezone.localdate().isoformat()}"' in r.text


def test_a_future_date_is_refused_at_the_field(english, at_signature, people):
    doc = signed_document(english, people, at_signature)
    english.force_login(people[KASUBBAG])
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    r = act(english, doc, "finish", note="x", recipients="Bupati", copies="1", distributed_on=tomorrow)
    assert r.status_code == 400
    assert "The date cannot be in the future." in r.text


# --- the register ------------------------------------------------------------------------------------------------


@pytest.fixture
def registered(english, at_signature, people):
    doc = signed_document(english, people, at_signature)
    document_transition(
        document=doc,
        action="finish",
        by=people[KASUBBAG],
        requirements_confirmed=True,
        note="Dikirim",
        distribution=__import__("sakip.workflow.services", fromlist=["DistributionInput"]).DistributionInput(
            "Bupati Lamongan\nInspektorat", 4, timezone.localdate()
        ),
    )
    return Document.objects.get(pk=doc.pk)


def test_the_register_lists_every_numbered_document_of_the_year(english, registered, people):
    english.force_login(people[KASUBBAG])
    year = timezone.localdate().year
    r = english.get(f"/dokumen/register/{year}/")
    assert r.status_code == 200
    for shown in (registered.number, registered.title, "Sekretaris Lamongan", "Bupati Lamongan", "Inspektorat"):
        assert shown in r.text
    assert english.get("/dokumen/register/").status_code == 302
    assert registered.number not in english.get(f"/dokumen/register/{year - 1}/").text


def test_the_register_shows_only_documents_the_person_may_see(english, registered):
    outsider = make_user("luar")
    english.force_login(outsider)
    english.get("/dokumen/register/2000/")  # the signer's message of the signing is shown once, here
    r = english.get(f"/dokumen/register/{timezone.localdate().year}/")
    assert r.status_code == 200
    assert registered.title not in r.text and registered.number not in r.text


def test_the_register_exports_to_excel(english, registered, people):
    english.force_login(people[SEKRETARIS])
    year = timezone.localdate().year
    r = english.get(f"/dokumen/register/{year}/xlsx/")
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="buku-agenda-{year}.xlsx"'
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    data = [row for row in rows if row and row[1] == registered.number]
    assert len(data) == 1
    row = data[0]
    assert row[0] == 1 and row[3] == registered.title
    assert "Sekretaris Lamongan" in row[4] and "a.n. KEPALA DINAS TENAGA KERJA" in row[4]
    assert row[5] == "Bupati Lamongan\nInspektorat" and row[6] == 4


def test_the_register_page_reads_a_fixed_number_of_times(client, default_sop, people):
    client.force_login(people[SEKRETARIS])
    for i in range(3):
        doc = advance(start_document(sop=default_sop, title=f"PK {i}", year=2026, by=people[SEKRETARIS]), people, 6)
        signed_document(client, people, doc)
    url = f"/dokumen/register/{timezone.localdate().year}/"
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    few = len(captured.captured_queries)
    doc = advance(start_document(sop=default_sop, title="PK more", year=2026, by=people[SEKRETARIS]), people, 6)
    signed_document(client, people, doc)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert len(captured.captured_queries) == few <= 8
