"""In the browser: a target changed after approval cannot be signed until it is taken in and approved again."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sakip.performance.models import IndicatorResult
from sakip.workflow.models import Signature
from tests.conftest import PASSWORD, advance, make_people, start_document

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"reviewed-{name}.png", full_page=True)


@pytest.mark.browser
def test_the_signer_sees_the_changed_target_and_signs_only_after_a_new_approval(
    transactional_db, live_server, default_sop, page: Page
):
    people = make_people(default_sop)
    doc = start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])
    doc = advance(doc, people, 6)  # approved by the Kasubbag at step 5, waiting for the signature
    first = IndicatorResult.objects.filter(measurement__document=doc).in_sheet_order().first()
    document_url = f"{live_server.url}/dokumen/{doc.pk}/"

    def log_in_as(actor_name: str) -> None:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/akun/masuk/")
        page.locator("#id_username").fill(people[actor_name].username)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_role("heading", name="Tugas saya")).to_be_visible()

    # After the approval the Kasubbag changes the indicator's target in the Perjanjian Kinerja.
    log_in_as("Kasubbag. Program dan Evaluasi")
    page.goto(f"{live_server.url}/kinerja/2026/sasaran/{first.indicator.objective_id}/")
    target = page.locator("input[name$='-target']").nth(
        [i.pk for i in first.indicator.objective.indicators.order_by("position", "pk")].index(first.indicator_id)
    )
    target.fill("41,5")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("41,5").first).to_be_visible()

    # The Sekretaris sees what changed, and the signature is refused with the reason.
    log_in_as("Sekretaris")
    page.goto(document_url)
    changes = page.locator("#agreement-changes")
    expect(changes).to_contain_text("41,5")
    page.set_viewport_size(PHONE)
    shot(page, "01-signer-sees-the-change-phone")
    # Where the sign button was, the reason it is not offered; no "unchanged since approval" either.
    expect(page.locator("#withheld")).to_contain_text("Perjanjian Kinerja berubah setelah dokumen ini dimulai")
    expect(page.get_by_role("button", name="Tandatangani")).to_have_count(0)
    expect(page.locator("#content-binding")).to_have_count(0)
    page.set_viewport_size(DESKTOP)
    shot(page, "02-signature-withheld")
    assert not Signature.objects.exists()
    page.locator("#id_reason").fill("Target indikator diubah; ambil perubahannya.")
    page.locator("#action-form button[value='return']").click()  # "Kembalikan"
    expect(page.get_by_text("Dikembalikan ke Langkah 4 · Angg. Tim SAKIP untuk perbaikan.")).to_be_visible()

    # The Anggota Tim takes the change in on purpose: the timeline lists it.
    log_in_as("Angg. Tim SAKIP")
    page.goto(document_url)
    page.get_by_role("button", name="Ambil perubahan ini").click()
    expect(page.get_by_text("Perubahan Perjanjian Kinerja sudah diambil")).to_be_visible()
    expect(page.locator("#agreement-changes")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"→ 41,5"))).to_be_visible()
    page.locator("#id_requirements_confirmed").check()
    page.locator("#id_note").fill("Target baru sudah diambil")
    page.get_by_role("button", name="Selesaikan dan teruskan").click()
    expect(page.get_by_text("Langkah 4 diselesaikan; diteruskan ke Langkah 5")).to_be_visible()

    log_in_as("Kasubbag. Program dan Evaluasi")
    page.goto(document_url)
    confirm = page.locator("#id_requirements_confirmed")
    if confirm.count():
        confirm.check()
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Disetujui dan diparaf pada Langkah 5; diteruskan ke Langkah 6")).to_be_visible()

    # Now the content is what was approved, and the page says so before and after signing.
    log_in_as("Sekretaris")
    page.goto(document_url)
    expect(page.locator("#content-binding")).to_contain_text("Tidak berubah sejak disetujui")
    page.locator("#id_requirements_confirmed").check()
    page.locator("#id_signature_confirmed").check()  # signing is deliberate: the box, then the button
    page.get_by_role("button", name="Tandatangani").click()
    expect(page.locator("#content-binding")).to_contain_text("Disetujui = ditandatangani")
    shot(page, "03-signed-as-approved")
    page.set_viewport_size(PHONE)
    shot(page, "04-signed-as-approved-phone")
    first.refresh_from_db()
    assert str(first.target) in {"41.5", "41.5000"}
    assert Signature.objects.get(document=doc).sha256
