"""Signing: the signer's data and the PDF are frozen, the PDF is verifiable by anyone, nothing changes afterwards."""

import hashlib
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from sakip.accounts.models import ActingAssignment, Profile
from sakip.performance.models import IndicatorResult
from sakip.performance.services import measurement_save
from sakip.workflow.models import Document, Signature
from sakip.workflow.services import document_cancel, document_transition
from tests.conftest import advance, make_user, start_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(default_sop):
    people = {
        actor.name: make_user(
            f"u{actor.position}", actor.group.name, first_name=f"Nama{actor.position}", last_name="Uji"
        )
        for actor in default_sop.actors.all()
    }
    Profile.objects.create(
        user=people["Sekretaris"],
        nip="197805122003122004",
        jabatan="Sekretaris Dinas Tenaga Kerja",
        pangkat="Pembina (IV/a)",
    )
    Profile.objects.create(
        user=people["Kasubbag. Program dan Evaluasi"],
        nip="198203172006041011",
        jabatan="Kepala Sub Bagian Program dan Evaluasi",
    )
    return people


@pytest.fixture
def at_signature(default_sop, people):
    doc = start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])
    doc = advance(doc, people, 6)
    assert doc.current_step.is_signature
    return doc


def sign(doc, by):
    return document_transition(document=doc, action="approve", by=by, requirements_confirmed=True)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_it_freezes_the_signer_and_stores_the_pdf_with_its_hash(at_signature, people):
    doc = sign(at_signature, people["Sekretaris"])
    signature = Signature.objects.get(document=doc)
    assert signature.name == "Nama1 Uji"
    assert signature.full_jabatan == "Sekretaris Dinas Tenaga Kerja"
    assert signature.nip == "197805122003122004"
    assert signature.place == "Lamongan"
    assert signature.paraf_name == "Nama2 Uji"  # the Kasubbag's approval at step 5 is the initial
    assert signature.paraf_jabatan == "Kepala Sub Bagian Program dan Evaluasi"
    assert len(signature.token) >= 32 and str(doc.pk) != signature.token
    data = signature.pdf.read()
    assert hashlib.sha256(data).hexdigest() == signature.sha256
    # Changing the signer's profile afterwards changes nothing signed.
    Profile.objects.filter(user=people["Sekretaris"]).update(jabatan="Lain")
    signature.refresh_from_db()
    assert signature.jabatan == "Sekretaris Dinas Tenaga Kerja"


def test_it_prints_the_measurement_and_the_signature_in_the_pdf(default_sop, people):
    doc = start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])
    doc = advance(doc, people, 5)
    # The realisation the Kasubbag approves at step 5 (and so the one that may be signed).
    tpt = IndicatorResult.objects.get(measurement__document=doc, name__startswith="Tingkat")
    IndicatorResult.objects.filter(pk=tpt.pk).update(realisation=Decimal("4.2"))
    doc = sign(advance(doc, people, 6), people["Sekretaris"])
    text = pdf_text(Signature.objects.get(document=doc).pdf.read())
    assert "PENGUKURAN KINERJA DINAS TENAGA KERJA KABUPATEN LAMONGAN TAHUN 2026" in text
    assert "Tingkat Pengangguran Terbuka (TPT)" in text
    assert "4,2" in text and "106,67" in text  # (2 × 4,5 − 4,2) / 4,5 × 100 = 106,666… → 106,67
    assert "Nama1 Uji" in text
    assert "NIP. 19780512 200312 2 004" in text
    today = timezone.localdate()
    assert f"Lamongan, {today.day} " in text
    assert "Halaman 1 dari" in text


def test_it_refuses_to_sign_without_the_signers_data(at_signature, people):
    Profile.objects.filter(user=people["Sekretaris"]).update(nip="")
    with pytest.raises(ValidationError) as refused:
        sign(at_signature, people["Sekretaris"])
    assert "NIP" in refused.value.message_dict["signature"][0]
    assert not Signature.objects.exists()
    assert Document.objects.get().current_step.number == 6


def test_it_refuses_a_nip_that_is_not_a_real_date(at_signature, people):
    Profile.objects.filter(user=people["Sekretaris"]).update(nip="197813122003122004")  # month 13
    with pytest.raises(ValidationError):
        sign(at_signature, people["Sekretaris"])
    assert not Signature.objects.exists()


def test_it_lets_an_acting_official_sign_with_plt(client, at_signature, people, default_sop):
    acting = make_user("plt", first_name="Pejabat", last_name="Pengganti")
    Profile.objects.create(user=acting, nip="198001012005011001", pangkat="Pembina (IV/a)")
    sekretaris_role = default_sop.actors.get(name="Sekretaris").group
    today = timezone.localdate()
    ActingAssignment.objects.create(
        person=acting,
        role=sekretaris_role,
        official=people["Sekretaris"],
        jabatan="Sekretaris Dinas Tenaga Kerja",
        prefix="Plt.",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
    )
    client.force_login(acting)
    assert at_signature.title in client.get("/").text  # the acting person sees the role's inbox
    doc = sign(at_signature, acting)
    signature = Signature.objects.get(document=doc)
    assert signature.full_jabatan == "Plt. Sekretaris Dinas Tenaga Kerja"
    assert "Plt. Sekretaris Dinas Tenaga Kerja" in pdf_text(signature.pdf.read())


def test_it_ends_the_acting_role_with_its_period(at_signature, people, default_sop):
    acting = make_user("plh")
    role = default_sop.actors.get(name="Sekretaris").group
    today = timezone.localdate()
    ActingAssignment.objects.create(
        person=acting,
        role=role,
        jabatan="Sekretaris",
        prefix="Plh.",
        starts_on=today - timedelta(days=10),
        ends_on=today - timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        sign(at_signature, acting)


def test_it_refuses_every_change_after_signing(client, at_signature, people):
    doc = sign(at_signature, people["Sekretaris"])
    measurement = doc.measurement
    before = list(measurement.indicator_results.values_list("pk", "realisation"))
    with pytest.raises(PermissionDenied):
        measurement_save(measurement=measurement, by=people["Angg. Tim SAKIP"], version=doc.version, indicators={})
    client.force_login(people["Angg. Tim SAKIP"])
    assert client.get(f"/kinerja/dokumen/{doc.pk}/realisasi/").status_code == 403
    client.force_login(people["Kasubbag. Program dan Evaluasi"])
    assert client.get("/kinerja/2026/ubah/").status_code == 403
    with pytest.raises(Exception):  # noqa: B017 - refused whichever way: not a cancellable document
        document_cancel(document=doc, by=people["Sekretaris"], reason="batal")
    assert list(measurement.indicator_results.values_list("pk", "realisation")) == before
    assert Document.objects.get().status == Document.Status.ACTIVE


def test_it_serves_the_stored_pdf_unchanged(client, at_signature, people):
    doc = sign(at_signature, people["Sekretaris"])
    signature = Signature.objects.get(document=doc)
    client.force_login(people["Angg. Tim SAKIP"])
    response = client.get(f"/kinerja/dokumen/{doc.pk}/pengukuran.pdf")
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    assert hashlib.sha256(served).hexdigest() == signature.sha256


def test_it_lets_anyone_verify_the_signed_pdf(client, at_signature, people):
    doc = sign(at_signature, people["Sekretaris"])
    signature = Signature.objects.get(document=doc)
    data = signature.pdf.read()
    page = client.get(f"/verifikasi/{signature.token}/")  # no login
    assert page.status_code == 200
    assert doc.title in page.text and signature.sha256 in page.text and "Nama1 Uji" in page.text
    assert "Tingkat Pengangguran" not in page.text  # nothing beyond what the paper shows
    from django.core.files.uploadedfile import SimpleUploadedFile

    same = client.post(f"/verifikasi/{signature.token}/", {"file": SimpleUploadedFile("a.pdf", data)})
    assert 'id="verify-result"' in same.text and "alert-success" in same.text
    tampered = bytearray(data)
    tampered[len(tampered) // 2] ^= 0x01
    other = client.post(f"/verifikasi/{signature.token}/", {"file": SimpleUploadedFile("a.pdf", bytes(tampered))})
    assert "alert-danger" in other.text


def test_it_answers_404_to_an_unknown_token(client):
    assert client.get("/verifikasi/not-a-token/").status_code == 404


def test_it_refuses_admin_edits_of_a_signed_document(client, at_signature, people, admin_user):
    doc = sign(at_signature, people["Sekretaris"])
    signature = Signature.objects.get(document=doc)
    agreement = doc.measurement.agreement
    objective = agreement.objectives.first()
    client.force_login(admin_user)
    assert client.post(f"/admin/workflow/signature/{signature.pk}/change/", {"name": "X"}).status_code == 403
    assert client.post(f"/admin/workflow/signature/{signature.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/performance/agreement/{agreement.pk}/change/", {"year": "2026"}).status_code == 403
    assert client.post(f"/admin/performance/objective/{objective.pk}/change/", {"text": "X"}).status_code == 403
    assert client.post(f"/kinerja/2026/sasaran/{objective.pk}/", {"text": "X"}).status_code == 403
    signature.refresh_from_db()
    objective.refresh_from_db()
    assert signature.name == "Nama1 Uji" and objective.text != "X"


def test_it_keeps_one_band_for_the_lowest_values(client, admin_user, db):
    from sakip.performance.models import RatingBand

    client.force_login(admin_user)
    lowest = RatingBand.objects.get(minimum__isnull=True)
    assert client.post(f"/admin/performance/ratingband/{lowest.pk}/delete/", {"post": "yes"}).status_code == 403
    r = client.post("/admin/performance/ratingband/add/", {"label": "Lain", "minimum": ""})
    assert r.status_code == 200
    assert RatingBand.objects.filter(minimum__isnull=True).count() == 1
    r = client.post("/admin/performance/ratingband/add/", {"label": "Istimewa", "minimum": "120"})
    assert r.status_code == 302
    assert RatingBand.objects.count() == 6


def test_it_says_why_a_signed_measurement_cannot_change(client, at_signature, people):
    doc = sign(at_signature, people["Sekretaris"])
    client.force_login(people["Angg. Tim SAKIP"])
    r = client.get(f"/kinerja/dokumen/{doc.pk}/realisasi/")
    assert r.status_code == 403
    assert "Pengukuran tidak dapat diubah pada langkah ini." in r.text


def test_it_shows_the_signature_in_the_timeline(client, at_signature, people):
    doc = sign(at_signature, people["Sekretaris"])
    client.force_login(people["Kasubbag. Program dan Evaluasi"])
    page = client.get(f"/dokumen/{doc.pk}/").text
    assert "Ditandatangani · langkah 6" in page
    assert "Disetujui · langkah 5" in page  # the paraf stays an approval


def test_it_keeps_no_signed_pdf_of_a_signature_that_does_not_commit(at_signature, people, monkeypatch, settings):
    from sakip.workflow import services

    def broken(*args, **kwargs):
        raise RuntimeError("the notification table is gone")

    monkeypatch.setattr(services, "_notify_arrival", broken)
    with pytest.raises(RuntimeError):
        sign(at_signature, people["Sekretaris"])
    assert not Signature.objects.exists()
    signed = settings.MEDIA_ROOT / "ditandatangani"
    assert not signed.exists() or not any(signed.rglob("*.pdf"))
