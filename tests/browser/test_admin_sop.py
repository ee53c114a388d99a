"""An administrator copies the default SOP in the admin, adds a step to the copy, and sees it on the copy's sheet."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import ConsoleMessage, Page, expect

from sakip.sops.models import Sop
from tests.conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
COPY_SLUG = "pengukuran-kinerja-uji"
NEW_ACTIVITY = "Mengarsipkan dokumen pengukuran kinerja (uji peramban)"


@pytest.fixture
def console(page: Page):
    """Every console message and uncaught error of the page, CSP refusals included; kept in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    lines: list[str] = []

    def record(message: ConsoleMessage) -> None:
        lines.append(f"[{message.type}] {page.url} :: {message.text}")

    page.on("console", record)
    page.on("pageerror", lambda error: lines.append(f"[pageerror] {page.url} :: {error}"))
    # The console says only "Failed to load resource: 404"; name the resource.
    page.on(
        "response",
        lambda response: response.status >= 400 and lines.append(f"[http {response.status}] {response.url}"),
    )
    yield lines
    (ARTIFACTS / "admin-sop-console.txt").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def shot(page: Page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"admin-sop-{name}.png", full_page=True)


@pytest.mark.browser
def test_it_copies_an_sop_and_adds_a_step_in_the_admin(
    transactional_db, live_server, default_sop, admin_user, page: Page, console: list[str]
):
    # The office works in Indonesian; the test reads the English words, chosen as a person would, by the cookie.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])

    # Log in through the site's own login page.
    page.goto(f"{live_server.url}/akun/masuk/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    shot(page, "01-login")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # The admin: the list of SOPs, then the default SOP.
    page.get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    shot(page, "02-admin-index")
    page.get_by_role("link", name="SOPs", exact=True).click()
    page.get_by_role("link", name=default_sop.nama).click()
    expect(page.get_by_role("heading", name="Steps")).to_be_visible()
    shot(page, "03-default-sop")

    # Copy it under a new code.
    page.get_by_role("link", name="Copy", exact=True).click()
    page.get_by_label("Code of the copy").fill(COPY_SLUG)
    page.get_by_label("SOP name").fill(f"{default_sop.nama} (uji)")
    shot(page, "04-copy-form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Copy created; edit it below.")).to_be_visible()
    copy = Sop.objects.get(slug=COPY_SLUG)
    expect(page).to_have_url(re.compile(rf"/admin/sops/sop/{copy.pk}/change/$"))

    # On the copy, add a step before the end step. Tabular inline cells have no
    # labels of their own (the column heading names them), so they are found by name.
    steps = page.locator("#steps-group")
    end_row = steps.locator("tr.form-row").filter(
        has=page.locator("select[name$='-kind'] option[value='end'][selected]")
    )
    expect(end_row).to_have_count(1)
    end_row.locator("input[name$='-number']").fill("8")
    steps.get_by_role("button", name="Add another Step").click()
    new_row = steps.locator("#steps-7")
    expect(new_row).to_be_visible()
    new_row.locator("[name='steps-7-number']").fill("7")
    new_row.locator("[name='steps-7-activity']").fill(NEW_ACTIVITY)
    new_row.locator("[name='steps-7-actor']").select_option(label="Angg. Tim SAKIP")
    new_row.locator("[name='steps-7-kind']").select_option("process")
    new_row.locator("[name='steps-7-duration']").fill("15")
    new_row.locator("[name='steps-7-duration_unit']").select_option("minutes")
    shot(page, "05-copy-new-step")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    shot(page, "06-saved")

    # The copy's sheet shows the new step; the original's does not.
    page.goto(f"{live_server.url}/sop/{COPY_SLUG}/")
    expect(page.get_by_text(NEW_ACTIVITY)).to_be_visible()
    shot(page, "07-copy-sheet")
    page.goto(f"{live_server.url}/sop/{default_sop.slug}/")
    expect(page.get_by_text("Angota Tim merumuskan draf dokumen kinerja")).to_be_visible()
    expect(page.get_by_text(NEW_ACTIVITY)).to_have_count(0)
    shot(page, "08-original-sheet")

    assert list(copy.steps.order_by("number").values_list("number", "kind")) == [
        (1, "start"),
        (2, "process"),
        (3, "process"),
        (4, "process"),
        (5, "decision"),
        (6, "decision"),
        (7, "process"),
        (8, "end"),
    ]
    assert default_sop.steps.count() == 7
    # The admin's own scripts (the "Add another" link) run under the site's strict policy.
    assert [line for line in console if "Content Security Policy" in line or line.startswith("[pageerror]")] == []
