"""The admin's step editor in the browser, at 1366x900 and at 390x844: the steps table fits, a step is inserted
between two and moved up, a refused save marks the faulty row, a step's own page shows every field, and a
revision in use shows its lists as lists. Screenshots in test-artifacts/admin/."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from sakip.sops.models import Sop
from tests.conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "admin"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
NEW_ACTIVITY = "Memeriksa kelengkapan lampiran (uji peramban)"
HEADER = "SAKIP · Dinas Tenaga Kerja Kabupaten Lamongan"


def shot(page: Page, size: str, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{size}-{name}.png", full_page=True)


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def steps(sop: Sop) -> list[tuple[int, str, int | None]]:
    return list(sop.steps.order_by("number").values_list("number", "kind", "return_to"))


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_administrator_inserts_moves_and_saves_steps(
    transactional_db, live_server, default_sop, admin_user, page: Page, size: str
):
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_viewport_size(SIZES[size])
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/akun/masuk/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    change = f"{live_server.url}/admin/sops/sop/{default_sop.pk}/change/"
    page.goto(change)
    expect(page.locator("#site-name")).to_have_text(HEADER)
    assert page.title().endswith(HEADER)
    table = page.locator("#steps-group table")
    expect(table.locator("tr.form-row.has_original")).to_have_count(7)
    if size == "desktop":
        # The whole steps table inside the content area: no scrolling sideways to find the time.
        fits = page.evaluate(
            """() => {
                const box = document.querySelector('#steps-group .tabular');
                const table = box.querySelector('table');
                const content = document.querySelector('#content');
                return {scroll: box.scrollWidth, client: box.clientWidth,
                        table: table.getBoundingClientRect().right, content: content.getBoundingClientRect().right};
            }"""
        )
        assert fits["scroll"] <= fits["client"], fits
        assert fits["table"] <= fits["content"] + 1, fits
    else:
        no_sideways_scroll(page)
    table.scroll_into_view_if_needed()
    shot(page, size, "01-steps")

    # Insert a step before the end step (7): it becomes step 7, the end step 8.
    page.get_by_role("link", name="Insert a step before step 7").click()
    expect(page.get_by_text("Step 7 and the steps after it move down by one.")).to_be_visible()
    page.get_by_label("Activity").fill(NEW_ACTIVITY)
    page.get_by_label("Actor").select_option(label="Angg. Tim SAKIP")
    page.get_by_label("Kind").select_option("process")
    page.locator("input[name=duration]").fill("2")
    page.get_by_label("Time unit").select_option("hours")
    shot(page, size, "02-insert-form")
    if size == "phone":
        no_sideways_scroll(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Step 7 inserted")
    assert [n for n, _k, _r in steps(default_sop)] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert default_sop.steps.get(number=7).activity == NEW_ACTIVITY
    shot(page, size, "03-inserted")

    # Move step 4 (the one both decisions return to) up: the decisions follow it to number 3.
    page.get_by_role("button", name="Move step 4 up").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Step 4 is now step 3.")
    assert steps(default_sop)[4:6] == [(5, "decision", 3), (6, "decision", 3)]
    shot(page, size, "04-moved")

    # A refused save: decision 5 returning to a later step. Its row is marked, with the reason above it.
    page.locator("#steps-group tr.form-row").filter(has=page.locator("input[name$='-number'][value='5']")).locator(
        "input[name$='-return_to']"
    ).fill("6")
    page.get_by_role("button", name="Save", exact=True).click()
    faulty = page.locator("#steps-group tr.row-has-errors")
    expect(faulty).to_have_count(1)
    expect(faulty.locator("input[name$='-number']")).to_have_value("5")
    expect(page.locator("#steps-group tr.row-form-errors")).to_contain_text(
        "Step 5 returns to step 6, which is not earlier than the decision."
    )
    faulty.scroll_into_view_if_needed()
    shot(page, size, "05-faulty-row")
    faulty.locator("input[name$='-return_to']").fill("3")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    assert steps(default_sop)[4] == (5, "decision", 3)

    # A step's own page: every field, including the signature marks.
    page.goto(change)
    page.get_by_role("link", name="Details of step 6").click()
    expect(page.get_by_label("Signs on behalf of")).to_have_value("a.n. KEPALA DINAS TENAGA KERJA")
    expect(page.get_by_label("Requirements / completeness")).to_be_visible()
    shot(page, size, "06-step-page")
    if size == "phone":
        no_sideways_scroll(page)

    # A revision in use: read only, its legal basis a list.
    Sop.objects.filter(pk=default_sop.pk).update(in_use_since=timezone.now())
    page.goto(change)
    expect(page.locator("ul.value-list").first).to_be_visible()
    expect(page.get_by_role("button", name="Move step 3 up")).to_have_count(0)
    page.locator("ul.value-list").first.scroll_into_view_if_needed()
    shot(page, size, "07-in-use")

    assert problems == []
