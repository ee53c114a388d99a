"""A count of people typed as "1,205" is refused at its field, on a phone and on a desk screen."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sakip.performance.models import IndicatorResult
from tests.conftest import PASSWORD, advance, make_people, start_document

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "numbers"
SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 900}}


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_the_realisation_form_refuses_1_205_orang_and_takes_1_205(
    transactional_db, live_server, default_sop, page: Page, size
):
    people = make_people(default_sop)
    document = start_document(
        sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"]
    )
    document = advance(document, people, 3)
    IndicatorResult.objects.filter(measurement__document=document).update(realisation=None)
    placed = IndicatorResult.objects.get(measurement__document=document, name__startswith="Jumlah pencari kerja")
    page.set_viewport_size(SIZES[size])
    page.goto(f"{live_server.url}/akun/masuk/")
    page.locator("#id_username").fill(people["Angg. Tim SAKIP"].username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"{live_server.url}/kinerja/dokumen/{document.pk}/realisasi/")

    field = page.locator(f"#id_i{placed.pk}-realisation")
    expect(field).to_have_attribute("inputmode", "numeric")  # a phone offers digits for a count
    field.fill("1,205")
    page.get_by_role("button", name="Simpan").click()

    field = page.locator(f"#id_i{placed.pk}-realisation")
    expect(field).to_have_class(re.compile("is-invalid"))
    message = page.locator(f"#id_i{placed.pk}-realisation ~ .invalid-feedback, #error_1_id_i{placed.pk}-realisation")
    expect(message.first).to_contain_text(re.compile("orang"))
    expect(message.first).to_contain_text("1.205")  # how to write one thousand two hundred five
    field.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"realisation-1,205-orang-refused-{size}.png", full_page=True)
    placed.refresh_from_db()
    assert placed.realisation is None

    field.fill("1.205")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".measurement-table").first).to_contain_text("1.205")
    page.screenshot(path=ARTIFACTS / f"document-1.205-orang-{size}.png", full_page=True)
    placed.refresh_from_db()
    assert placed.realisation == 1205
