"""In the browser, at a desk and on a phone: a return says to whom it went, and the printed code finds its document."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sakip.workflow.models import Signature
from tests.conftest import PASSWORD, advance, make_people, start_document

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "actions"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
KASUBBAG = "Kasubbag. Program dan Evaluasi"

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def log_in(page: Page, base: str, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/akun/masuk/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Tugas saya")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_return_says_to_which_step_and_actor_it_went(size, transactional_db, live_server, default_sop, page: Page):
    page.set_viewport_size(SIZES[size])
    people = make_people(default_sop)
    doc = start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])
    doc = advance(doc, people, 5)

    log_in(page, live_server.url, people[KASUBBAG])
    page.goto(f"{live_server.url}/dokumen/{doc.pk}/")
    page.locator("#id_reason").fill("Realisasi TPT belum sesuai data BPS.")
    # The button's words are the signing work's ("Kembalikan"); its value is the action.
    page.locator('button[name="action"][value="return"]').click()

    said = page.get_by_role("alert").filter(has_text="Dikembalikan ke Langkah")
    expect(said).to_have_text("Dikembalikan ke Langkah 4 · Angg. Tim SAKIP untuk perbaikan.")
    expect(said).to_have_class(re.compile("alert-info"))
    # Not the old "done, handed on" in green above the reason.
    expect(page.get_by_text("Selesai: dokumen telah diteruskan.")).to_have_count(0)
    expect(page.locator(".alert-success")).to_have_count(0)
    assert page.evaluate(FITS), "the page is wider than the screen"
    shot(page, f"return-message-{size}")

    # The drafter fixes it and hands it on again: the message names the step done and the next one.
    log_in(page, live_server.url, people["Angg. Tim SAKIP"])
    page.goto(f"{live_server.url}/dokumen/{doc.pk}/")
    confirm = page.locator("#id_requirements_confirmed")
    if confirm.count():
        confirm.check()
    page.locator("#id_note").fill("Realisasi TPT diperbaiki")
    page.locator('button[name="action"][value="complete"]').click()
    expect(page.locator(".alert-success")).to_have_text(
        f"Langkah 4 diselesaikan; diteruskan ke Langkah 5 · {KASUBBAG}."
    )
    assert page.evaluate(FITS), "the page is wider than the screen"
    shot(page, f"complete-message-{size}")


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_typed_code_opens_the_verification_page(size, transactional_db, live_server, default_sop, page: Page):
    page.set_viewport_size(SIZES[size])
    people = make_people(default_sop)
    doc = start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])
    advance(doc, people, 7)
    signature = Signature.objects.get(document=doc)

    page.context.clear_cookies()  # anyone holding the paper, without an account
    page.goto(f"{live_server.url}/verifikasi/")
    expect(page.get_by_role("heading", name="Verifikasi dokumen bertanda tangan")).to_be_visible()
    code = page.get_by_label("Kode verifikasi")

    # A code that is no signature's: said at the field, the page stays.
    code.fill("abcd efgh ijkl" if signature.short_code != "ABCD-EFGH-IJKL" else "ABCD EFGH IJKM")
    page.get_by_role("button", name="Cari dokumen").click()
    expect(code).to_have_class(re.compile("is-invalid"))
    expect(page.get_by_text("Tidak ada dokumen bertanda tangan dengan kode ini.")).to_be_visible()
    assert page.evaluate(FITS), "the page is wider than the screen"
    shot(page, f"verify-unknown-{size}")

    # The printed code as a hurried person types it: small letters, no dashes.
    code.fill(signature.short_code.lower().replace("-", ""))
    page.get_by_role("button", name="Cari dokumen").click()
    expect(page).to_have_url(f"{live_server.url}/verifikasi/{signature.token}/")
    expect(page.locator("#verify-title")).to_have_text(doc.title)
    expect(page.get_by_text(signature.short_code)).to_be_visible()
    assert page.evaluate(FITS), "the page is wider than the screen"
    shot(page, f"verify-found-{size}")


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_second_document_of_the_year_needs_a_confirmation(
    size, transactional_db, live_server, default_sop, page: Page, tmp_path: Path
):
    page.set_viewport_size(SIZES[size])
    people = make_people(default_sop)
    first = start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])
    letter = tmp_path / "surat-masuk.pdf"
    letter.write_bytes(b"%PDF-1.4\n% surat\n%%EOF\n")

    log_in(page, live_server.url, people["Sekretaris"])
    page.goto(f"{live_server.url}/dokumen/baru/{default_sop.slug}/")
    page.locator("#id_year").fill("2026")
    twins = page.locator("#twins")
    expect(twins).to_contain_text("SOP ini sudah memiliki dokumen untuk tahun 2026")
    expect(twins.get_by_role("link", name=first.title)).to_have_attribute("href", f"/dokumen/{first.pk}/")
    page.locator("#id_requirements_confirmed").check()
    page.locator("#id_files").set_input_files(letter)
    page.get_by_role("button", name="Mulai").click()
    # Refused at the confirmation box, with the list still there to read.
    confirm = page.locator("#id_twin_confirmed")
    expect(confirm).to_have_class(re.compile("is-invalid"))
    expect(page.get_by_text("Centang kotak ini untuk tetap memulai dokumen baru.")).to_be_visible()
    assert page.evaluate(FITS), "the page is wider than the screen"
    shot(page, f"twin-refused-{size}")

    confirm.check()
    page.locator("#id_requirements_confirmed").check()
    page.locator("#id_files").set_input_files(letter)
    page.get_by_role("button", name="Mulai").click()
    expect(page.get_by_text("Dokumen telah dimulai. Kini di Langkah 1 · Sekretaris.")).to_be_visible()
    shot(page, f"twin-started-{size}")
