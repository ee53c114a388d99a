"""The Pengukuran Kinerja as the office files it: letterhead, number, a.n. block, e-signature, preview, totals."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image
from pypdf import PdfReader

from sakip.lib import pdf as lib_pdf
from sakip.office.models import Office
from sakip.performance.models import IndicatorResult, Measurement
from sakip.performance.pdf import render_measurement_pdf
from sakip.workflow.models import Signature
from tests.conftest import fill_realisations, make_people, start_document
from tests.performance.factories import make_agreement

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
NUMBER = "050/17/413.110/2030"


def office_words(message: str) -> str:
    """``message`` as the PDF prints it: in the office's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message)


def keep(data: bytes, name: str) -> None:
    """The PDF and its first page as a PNG in test-artifacts/pdf/, to look at."""
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pdf = ARTIFACTS / f"{name}.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, pdf.with_suffix("")], check=True)


def pdftotext(data: bytes) -> list[str]:
    """The text of each page, laid out as on paper (pdftotext -layout), else as pypdf reads it."""
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
        return out.decode().split("\f")[: len(PdfReader(io.BytesIO(data)).pages)]
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def logo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 60), (10, 90, 160)).save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue())


def set_letterhead(**changes) -> Office:
    office = Office(
        government="PEMERINTAH KABUPATEN LAMONGAN",
        name="DINAS TENAGA KERJA",
        address="Jl. Basuki Rahmat No. 1, Lamongan",
        postal_code="62211",
        telephone="(0322) 321234",
        email="disnaker@lamongankab.go.id",
        website="disnaker.lamongankab.go.id",
        logo=logo(),
        **changes,
    )
    office.save()
    return office


def measurement_of(default_sop, *, objectives=2, indicators=5, programmes=1) -> Measurement:
    make_agreement(
        year=2030, objectives=objectives, indicators_per_objective=indicators, programmes_per_objective=programmes
    )
    people = make_people(default_sop)
    document = start_document(sop=default_sop, title="PK 2030", year=2030, by=people["Sekretaris"])
    fill_realisations(document)
    return Measurement.objects.select_related("document", "agreement").get(document=document)


def signature_for(measurement: Measurement, *, token: str = "t" * 43, **extra) -> Signature:
    """A signature as signing builds it, before it is saved (the signed PDF is rendered then)."""
    signature = Signature(
        document=measurement.document,
        name="Dra. Nama Penanda Tangan, M.Si.",
        prefix="Plt.",
        jabatan="Sekretaris Dinas Tenaga Kerja",
        pangkat="Pembina (IV/a)",
        nip="197805122003122004",
        place="Lamongan",
        signed_at=timezone.now(),
        token=token,
    )
    # Signature.on_behalf_of comes with the signing work; an attribute works with or without the field.
    signature.on_behalf_of = extra.get("on_behalf_of", "a.n. KEPALA DINAS TENAGA KERJA")
    return signature


@pytest.fixture
def measurement(default_sop) -> Measurement:
    return measurement_of(default_sop)


def test_it_prints_the_letterhead_number_and_the_signature_block(measurement):
    set_letterhead()
    measurement.document.number = NUMBER
    signature = signature_for(measurement)

    data = render_measurement_pdf(measurement, signature)

    pages = pdftotext(data)
    text = squeeze(" ".join(pages))
    first = squeeze(pages[0])
    for line in [
        "PEMERINTAH KABUPATEN LAMONGAN",
        "DINAS TENAGA KERJA",
        f"Jl. Basuki Rahmat No. 1, Lamongan {office_words('Postal code')} 62211",
        f"{office_words('Telephone')} (0322) 321234",
        f"{office_words('E-mail')} disnaker@lamongankab.go.id",
        f"{office_words('Website')} disnaker.lamongankab.go.id",
        f"{office_words('Number')}: {NUMBER}",
    ]:
        assert line in first, line
    # Tata naskah dinas: place and date, a.n. line, (Plt.) jabatan and a comma, the space, name, pangkat, NIP.
    block = re.search(
        r"Lamongan, \d+ \w+ \d{4} a\.n\. KEPALA DINAS TENAGA KERJA Plt\. Sekretaris Dinas Tenaga Kerja, "
        r"(.*?) Dra\. Nama Penanda Tangan, M\.Si\. Pembina \(IV/a\) NIP\. 19780512 200312 2 004",
        text,
    )
    assert block, text
    assert office_words("Signed electronically") in block.group(1)
    # Beside the QR code: the statement, the address to type the code into, the code.
    assert office_words("This document is signed electronically.") in text
    assert f"{settings.SITE_URL}/verifikasi/" in text
    assert signature.short_code in text
    images = [image.name for image in PdfReader(io.BytesIO(data)).pages[0].images]
    assert len(images) == 2, images  # the logo and the QR code


def test_it_prints_the_logo_only_when_there_is_one(measurement):
    set_letterhead(print_explanation=False)
    Office.objects.update(logo="")
    data = render_measurement_pdf(measurement, signature_for(measurement))
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 1  # the QR code alone


def test_it_signs_without_an_on_behalf_line_when_there_is_none(measurement):
    signature = signature_for(measurement, on_behalf_of="")
    text = squeeze(" ".join(pdftotext(render_measurement_pdf(measurement, signature))))
    assert "a.n." not in text
    assert re.search(r"Lamongan, \d+ \w+ \d{4} Plt\. Sekretaris Dinas Tenaga Kerja,", text)


def test_it_marks_a_preview_and_leaves_the_number_and_codes_to_the_signing(measurement):
    signature = signature_for(measurement, token="")  # unsaved, no token yet: as signing previews it

    data = render_measurement_pdf(measurement, signature, preview=True)
    keep(data, "pengukuran-preview")

    text = squeeze(" ".join(pdftotext(data)))
    for page in PdfReader(io.BytesIO(data)).pages:  # the watermark and the footer band, on every page
        assert squeeze(page.extract_text()).count(office_words("PREVIEW")) >= 2
    assert office_words("PREVIEW: not signed yet.") in text
    assert f"{office_words('Number')}: {office_words('(given when signed)')}" in text
    assert office_words("This document is signed electronically.") not in text
    assert signature.short_code not in text
    assert "Dra. Nama Penanda Tangan, M.Si." in text and "NIP. 19780512 200312 2 004" in text
    assert all(not page.images for page in PdfReader(io.BytesIO(data)).pages)  # no QR code


def test_a_draft_carries_no_electronic_signature(measurement):
    data = render_measurement_pdf(measurement)
    text = squeeze(" ".join(pdftotext(data)))
    # The watermark is turned 30°: pdftotext -layout leaves it out, pypdf reads it.
    assert office_words("DRAFT") in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert office_words("This document is signed electronically.") not in text
    assert "/verifikasi/" not in text
    assert f"{office_words('Number')}: {office_words('(given when signed)')}" in text


def test_it_prints_the_rating_and_the_factors_as_the_screen_shows_them(measurement):
    first = measurement.indicator_results.in_sheet_order().first()
    IndicatorResult.objects.filter(pk=first.pk).update(
        realisation=Decimal("95"), helped="Pelatihan kerja bersama BLK", held_back="Anggaran terlambat cair"
    )
    text = squeeze(" ".join(pdftotext(render_measurement_pdf(measurement))))
    assert office_words("Rating") in text
    assert "Sangat Baik" in text  # 95 / 81 × 100 = 117,28 %
    assert f"{office_words('Supporting factors')}: Pelatihan kerja bersama BLK" in text
    assert f"{office_words('Hindering factors')}: Anggaran terlambat cair" in text


def test_it_prints_the_explanation_column_when_the_office_says_so(measurement):
    IndicatorResult.objects.filter(measurement=measurement).update(explanation="Jumlah penempatan dibagi pencari kerja")
    without = render_measurement_pdf(measurement)
    assert "Jumlah penempatan dibagi" not in squeeze(" ".join(pdftotext(without)))
    page = PdfReader(io.BytesIO(without)).pages[0]
    assert page.mediabox.width < page.mediabox.height  # A4 portrait

    set_letterhead(print_explanation=True)
    with_column = render_measurement_pdf(measurement)
    keep(with_column, "pengukuran-explanation")
    text = squeeze(" ".join(pdftotext(with_column)))
    assert office_words("Explanation / formula") in text
    assert text.count("Jumlah penempatan dibagi pencari kerja") == 10
    page = PdfReader(io.BytesIO(with_column)).pages[0]
    assert (round(page.mediabox.width), round(page.mediabox.height)) == (842, 595)  # A4 landscape


def test_it_carries_the_title_and_the_period_on_every_page(default_sop):
    measurement = measurement_of(default_sop, objectives=12, indicators=5)
    measurement.document.number = NUMBER
    pages = pdftotext(render_measurement_pdf(measurement, signature_for(measurement)))
    assert len(pages) >= 3
    running = office_words("Performance measurement")
    year = office_words("Year %(year)s") % {"year": 2030}
    for page in pages[1:]:
        head = squeeze(page.strip().splitlines()[0])
        assert running in head and year in head and NUMBER in head, head


def jumlah_page(data: bytes) -> tuple[int, str, int]:
    """(index of the page holding the total, its text, index of the page where the budget table starts)."""
    pages = [squeeze(page) for page in pdftotext(data)]
    total = office_words("Total")
    holding = next(i for i, page in enumerate(pages) if re.search(rf"\b{total}\b", page))
    starts = next(i for i, page in enumerate(pages) if office_words("Budget (Rp)") in page)
    return holding, pages[holding], starts


def test_the_total_row_never_stands_alone_on_a_page(default_sop, monkeypatch):
    # With one programme per objective the budget table grows with the indicators; 31 put "Jumlah" alone at
    # the top of page 3 under a repeated header (without the keep-together rules: see the assertion below).
    measurement = measurement_of(default_sop, objectives=33, indicators=1)
    results = list(measurement.indicator_results.in_sheet_order())
    budgets = list(measurement.programme_results.in_sheet_order())
    crossed = 0
    for size in (33, 32, 31, 30, 29):
        for row in results[size:] + budgets[size:]:
            row.delete()
        results, budgets = results[:size], budgets[:size]
        holding, page, starts = jumlah_page(render_measurement_pdf(measurement))
        crossed += holding != starts
        rows = re.findall(r"Program \d+\.1", page)
        assert len(rows) >= 2, (size, page)  # the total, the last programme and the one before it
    assert crossed, "no size made the budget table cross a page: the test would prove nothing"


def test_the_total_row_stood_alone_without_the_keep_together_rules(default_sop, monkeypatch):
    """The control for the test above: the same size, with the rules switched off, does leave it alone."""
    real = lib_pdf.pdf_from_html
    loose = "<style>.last, .total { break-before: auto; }</style></head>"
    monkeypatch.setattr(lib_pdf, "pdf_from_html", lambda html: real(html.replace("</head>", loose)))
    measurement = measurement_of(default_sop, objectives=31, indicators=1)
    holding, page, starts = jumlah_page(render_measurement_pdf(measurement))
    assert holding != starts and not re.findall(r"Program \d+\.1", page)


@pytest.mark.parametrize("indicators", [10, 120])
def test_it_keeps_pages_to_look_at(default_sop, indicators):
    """The pages as the Sekretaris sees them, kept in test-artifacts/pdf/ (look at them after a layout change)."""
    set_letterhead(print_explanation=False)
    measurement = measurement_of(default_sop, objectives=indicators // 5, indicators=5)
    first = measurement.indicator_results.in_sheet_order().first()
    IndicatorResult.objects.filter(pk=first.pk).update(helped="Dukungan mitra", held_back="Cuaca")
    measurement.document.number = NUMBER
    data = render_measurement_pdf(measurement, signature_for(measurement))
    pages = pdftotext(data)
    assert NUMBER in pages[0] and "a.n. KEPALA DINAS TENAGA KERJA" in pages[-1]
    keep(data, f"pengukuran-{indicators}")
    if shutil.which("pdftoppm") and len(pages) > 1:  # and the last page: the total, the signature block
        pdf = ARTIFACTS / f"pengukuran-{indicators}.pdf"
        last = str(len(pages))
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", last, "-l", last, pdf, pdf.with_suffix("")], check=True)
