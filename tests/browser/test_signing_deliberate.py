"""In the browser, at 1366×900 and 390×844: the Sekretaris opens the preview of the exact PDF, the sign button
refuses without the confirmation box, signs with it, and sees the document's number; the register lists it."""

import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sakip.workflow.models import RegisterEntry, Signature
from tests.conftest import PASSWORD, advance, make_people, start_document

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "signing"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_sekretaris_previews_confirms_signs_and_sees_the_number(
    transactional_db, live_server, default_sop, page: Page, size
):
    people = make_people(default_sop)
    doc = advance(
        start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"]),
        people,
        6,
    )
    page.set_viewport_size(SIZES[size])
    page.goto(f"{live_server.url}/akun/masuk/")
    page.locator("#id_username").fill(people["Sekretaris"].username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"{live_server.url}/dokumen/{doc.pk}/")

    # The block as it will print: a.n., jabatan, name, NIP; and the preview of the exact PDF.
    block = page.locator("#signer-block")
    expect(block).to_contain_text("a.n. KEPALA DINAS TENAGA KERJA")
    expect(block).to_contain_text("Sekretaris Lamongan")
    expect(block).to_contain_text("NIP. 19800101 200501 1 001")
    no_sideways_scroll(page)
    page.locator("#signing").scroll_into_view_if_needed()
    shot(page, f"01-signature-step-{size}")

    preview = page.request.get(live_server.url + page.locator("#preview-link").get_attribute("href"))
    assert preview.status == 200 and preview.headers["content-type"] == "application/pdf"
    pdf_path = ARTIFACTS / f"02-preview-{size}.pdf"
    pdf_path.write_bytes(preview.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf_path, pdf_path.with_suffix("")], check=True
    )

    # Without the box the button refuses, with the reason at the box; nothing is signed.
    page.locator("#id_requirements_confirmed").check()
    page.get_by_role("button", name="Tandatangani").click()
    error = page.locator("#signing .invalid-feedback, #signing .text-danger, #error_1_id_signature_confirmed")
    expect(error.first).to_be_visible()
    assert not Signature.objects.exists()
    shot(page, f"03-refused-without-the-box-{size}")

    # With the box it signs; the page shows the number the register gave.
    page.locator("#id_requirements_confirmed").check()
    page.locator("#id_signature_confirmed").check()
    page.get_by_role("button", name="Tandatangani").click()
    number = f"050/1/413.110/{timezone.localdate().year}"
    expect(page.locator("#document-number")).to_contain_text(number)
    expect(page.locator("#signature")).to_contain_text("a.n. KEPALA DINAS TENAGA KERJA")
    no_sideways_scroll(page)
    shot(page, f"04-signed-with-number-{size}")
    assert RegisterEntry.objects.get().number == number

    # The register of the year lists it, with an Excel export.
    page.goto(f"{live_server.url}/dokumen/register/")
    expect(page.locator("#register")).to_contain_text(number)
    expect(page.locator("#register")).to_contain_text("Pengukuran Kinerja Tahun 2026")
    no_sideways_scroll(page)
    shot(page, f"05-register-{size}")
    export = page.request.get(live_server.url + page.locator("#register-xlsx").get_attribute("href"))
    assert export.status == 200 and export.body()[:2] == b"PK"
