"""The daily pages on a phone (390 × 844, and 360 wide) and on a desk screen (1366 × 900, and a tablet's 768):
the journey of a Pengukuran Kinerja document, every button clicked, and on every page nothing wider than the
screen; the navigation readable (WCAG AA contrast)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sakip.performance.models import IndicatorResult
from sakip.workflow.models import Document
from tests.conftest import PASSWORD, make_people

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "phone"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
NARROWEST = {"width": 360, "height": 740}
TABLET = {"width": 768, "height": 1024}

SEKRETARIS, SEKTIM, ANGGOTA = "Sekretaris", "Sek. Tim SAKIP", "Angg. Tim SAKIP"
KASUBBAG = "Kasubbag. Program dan Evaluasi"

# What sticks out past the right edge of the window, outside any box that scrolls or clips on its own
# (the SOP sheet keeps its own sideways scroll: it is the official sheet, drawn to scale).
STICKING_OUT = """() => {
  const width = window.innerWidth, found = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') { clipped = true; break; }
    }
    if (!clipped) found.push(`${el.tagName.toLowerCase()}.${el.className} → ${Math.round(box.right)} px`);
  }
  return found.slice(0, 6);
}"""
# Boxes that scroll sideways inside the page: a table behind a sideways scroll is as hard to read on a phone.
SCROLLING_SIDEWAYS = """() => [...document.querySelectorAll('body *')]
  .filter(el => !el.matches('input, textarea, select') && !el.closest('.sheet-scroll')
    && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
  .map(el => `${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth} px in ${el.clientWidth} px`)"""

# Each text of the capaian chart: its drawn width against its own length (1: not squeezed), its font size, and
# whether it stays clear of the bars (the indicator's number left of them, the capaian right of them).
CHART_TEXT = """() => [...document.querySelectorAll('.capaian-svg text')].map(text => {
  const box = text.getBoundingClientRect();
  const bars = text.closest('.capaian-svg').querySelector('.chart-area').getBoundingClientRect();
  const clear = text.classList.contains('chart-value') ? box.left >= bars.right : box.right <= bars.left;
  return {text: text.textContent, scale: box.width / text.getComputedTextLength(),
          size: parseFloat(getComputedStyle(text).fontSize), clear, right: box.right};
})"""


def pdf(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n% " + name.encode() + b"\n%%EOF\n")
    return path


@pytest.mark.browser
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_journey_fits_the_screen(size, transactional_db, live_server, default_sop, page: Page, tmp_path: Path):
    people = make_people(default_sop)
    viewport = SIZES[size]
    page.set_viewport_size(viewport)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    too_wide: dict[str, tuple[int, int, list[str]]] = {}
    shots = iter(range(1, 100))

    def fits(name: str) -> None:
        """The page is no wider than the window (on a phone at 390 and 360, on a desk screen at 1366 and at a
        tablet's 768), and no table in it scrolls sideways; a screenshot to look at."""
        page.wait_for_load_state()
        sizes = [viewport, NARROWEST] if size == "phone" else [viewport, TABLET]
        for each in sizes:
            page.set_viewport_size(each)
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                too_wide[f"{name} at {each['width']}"] = (scroll, inner, page.evaluate(STICKING_OUT))
            if boxes := page.evaluate(SCROLLING_SIDEWAYS):
                too_wide[f"{name} at {each['width']}, inside"] = (scroll, inner, boxes)
        page.set_viewport_size(viewport)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{size}-{next(shots):02d}-{name}.png", full_page=True)

    def log_in_as(actor_name: str) -> None:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/akun/masuk/")
        page.locator("#id_username").fill(people[actor_name].username)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_role("heading", name="Tugas saya")).to_be_visible()
        fits(f"tugas-saya-{people[actor_name].username}")

    def open_task(name: str) -> None:
        page.get_by_role("link", name=re.compile("Tahun 2026")).first.click()
        expect(page.locator("#action-form")).to_be_visible()
        fits(name)

    def at_step() -> int:
        document = Document.objects.get()
        return document.current_step.number if document.current_step else 0

    def act(action: str, *, note: str = "ok", attach: str | None = None, reason: str = "") -> None:
        """Fill the action form as its holder would (every confirmation ticked) and press the button of
        ``action`` (complete, approve, return, finish), whatever its words."""
        form = page.locator("#action-form")
        for box in form.locator("input[type=checkbox]").all():
            if box.is_visible() and not box.is_checked():
                box.check()
        if note and form.locator("#id_note").count():
            form.locator("#id_note").fill(note)
        if attach:
            form.locator("input[type=file]").first.set_input_files(pdf(tmp_path, attach))
        if reason:
            form.locator("#id_reason").fill(reason)
        if action == "finish" and form.locator("#id_recipients").count():  # the distribution, where recorded
            form.locator("#id_recipients").fill("Bupati Lamongan\nInspektorat Kabupaten Lamongan")
            form.locator("#id_copies").fill("5")
            day = form.locator("#id_distributed_on")
            if not day.input_value():
                day.fill(day.get_attribute("max"))
        form.locator(f"button[name=action][value={action}]").click()
        page.wait_for_load_state()

    # Step 1: the Sekretaris starts the document with the incoming letter and disposes it.
    log_in_as(SEKRETARIS)
    page.get_by_role("link", name=f"Mulai: {default_sop.nama}").click()
    fits("start-form")
    page.get_by_label("Lengkap: Surat masuk").check()
    page.get_by_label("Lampirkan: Surat masuk").set_input_files(pdf(tmp_path, "surat-masuk.pdf"))
    page.get_by_role("button", name="Mulai").click()
    expect(page.locator("#action-form")).to_be_visible()
    fits("step-1")
    act("complete", attach="disposisi.pdf")
    assert at_step() == 2

    log_in_as(SEKTIM)
    open_task("step-2")
    act("complete")
    assert at_step() == 3

    # Step 3, a content step: the realisation comes first in the step box, above the action form.
    log_in_as(ANGGOTA)
    open_task("step-3")
    step_box = page.locator(".card-body", has=page.locator("#action-form"))
    fill_in = step_box.locator("#step-work").get_by_role("link", name="Isi realisasi")
    expect(fill_in).to_be_visible()
    expect(step_box.locator("#step-work #id_upload_file")).to_be_attached()
    expect(page.get_by_role("link", name="Isi realisasi")).to_have_count(1)
    assert fill_in.bounding_box()["y"] < page.locator("#action-form").bounding_box()["y"]
    if size == "phone":  # where the eye is: on the first screen
        assert fill_in.bounding_box()["y"] + fill_in.bounding_box()["height"] <= viewport["height"]
    act("complete", note="Data dikumpulkan")
    assert at_step() == 4

    # Step 4, the last content step: handing on with realisations missing is refused, naming each missing
    # indicator with a link to its row of the form.
    page.goto(f"{live_server.url}/")
    open_task("step-4")
    act("complete", attach="draf.pdf")
    assert at_step() == 4
    refusal = page.locator("#missing-realisations")
    missing = list(IndicatorResult.objects.in_sheet_order().filter(measurement__document=Document.objects.get()))
    expect(refusal).to_contain_text(f"({len(missing)} ")
    expect(refusal.get_by_role("link")).to_have_count(min(len(missing), 10))
    expect(refusal.get_by_role("link").first).to_have_text(missing[0].name)
    fits("step-4-refused")
    refusal.get_by_role("link").nth(1).click()
    assert page.url.endswith(f"/realisasi/#indicator-{missing[1].pk}")
    expect(page.locator(f"#indicator-{missing[1].pk}")).to_be_in_viewport()
    fits("realisation-form-at-the-missing-row")

    # The realisation form: every field within the screen, the factors too, amounts uncut.
    fields = page.locator("input[name$='-realisation']")
    for i in range(fields.count()):
        fields.nth(i).fill(f"{80 + i}")  # whole numbers: some indicators count people
    page.locator("input[name$='-realised']").first.fill("1.187.500.000,25")
    helped = page.locator("textarea[name$='-helped']").first
    helped.fill("Bursa kerja bersama BLK")
    for factor in (helped, page.locator("textarea[name$='-held_back']").first, fields.first):
        box = factor.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    fits("realisation-form-filled")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".measurement-table")).to_contain_text("81")
    # Target, Realisasi and Capaian can be read without scrolling sideways, in every row; on a desk screen
    # they stand in their columns (a merged objective cell shifts no row).
    for cell in ("Target", "Realisasi", "% Capaian"):
        boxes = [td.bounding_box() for td in page.locator(f".measurement-table td[data-label='{cell}']").all()]
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] for box in boxes), (cell, boxes)
        if size == "desktop":
            assert len({round(box["x"]) for box in boxes}) == 1, (cell, boxes)
    # The chart's numbers keep their size: drawn at 1:1, not squeezed into the phone's width, clear of the bars.
    chart = page.evaluate(CHART_TEXT)
    assert chart and all(0.95 <= c["scale"] <= 1.05 and c["size"] >= 12 for c in chart), chart
    assert all(c["clear"] and c["right"] <= viewport["width"] for c in chart), chart
    budget = page.locator(".programme-table td", has_text="1.187.500.000,25")
    expect(budget).to_be_visible()
    assert budget.evaluate("el => el.scrollWidth <= el.clientWidth")
    fits("step-4-filled")
    act("complete", note="Draf dokumen kinerja", attach="draf.pdf")
    assert at_step() == 5

    log_in_as(KASUBBAG)
    open_task("step-5")
    act("return", note="", reason="Target indikator 2 tidak sesuai Perjanjian Kinerja")
    assert at_step() == 4
    fits("step-5-returned")

    log_in_as(ANGGOTA)
    open_task("step-4-after-return")
    act("complete", attach="draf-2.pdf")
    assert at_step() == 5

    log_in_as(KASUBBAG)
    open_task("step-5-again")
    act("approve")
    assert at_step() == 6

    log_in_as(SEKRETARIS)
    open_task("step-6")
    act("approve")
    assert at_step() == 7
    fits("step-7-signed")

    log_in_as(KASUBBAG)
    open_task("step-7")
    act("finish", note="Digandakan 5 eksemplar dan dikirim")
    assert Document.objects.get().status == Document.Status.FINISHED
    fits("finished")

    # The lists tell documents apart by number, or by the date they started while they have none.
    if size == "phone":  # the menu opens on a phone
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("link", name="Tugas saya")).to_be_visible()
        fits("menu-open")
    page.get_by_role("link", name="Dokumen", exact=True).click()
    expect(page.locator(".document-list")).to_contain_text(Document.objects.get().number or "dimulai")
    fits("document-list")
    page.goto(f"{live_server.url}/dokumen/notifikasi/")
    fits("notifications")

    assert too_wide == {}, f"pages wider than the window (scrollWidth, innerWidth, what sticks out): {too_wide}"
    assert errors == []


# The text colours of the navigation against its background, as the browser computed them.
NAV_COLOURS = """() => {
  const nav = document.querySelector('nav.navbar');
  const texts = [...nav.querySelectorAll('a, .navbar-text, button')].filter(el => el.offsetParent !== null);
  return {background: getComputedStyle(nav).backgroundColor,
          texts: texts.map(el => [el.textContent.trim() || el.getAttribute('aria-label'), getComputedStyle(el).color,
                                  getComputedStyle(el).backgroundColor])};
}"""


def rgba(css: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", css)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def over(top: tuple, bottom: tuple) -> tuple:
    """``top`` (with its alpha) painted over the opaque ``bottom``."""
    alpha = top[3]
    return (*(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], bottom[:3], strict=True)), 1.0)


def contrast(one: tuple, other: tuple) -> float:
    """WCAG 2 contrast ratio of two opaque sRGB colours."""

    def luminance(colour):
        linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour[:3]]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.browser  # a check of this file's own helper: it runs, and skips, with the browser tests
def test_the_contrast_formula_gives_the_known_ratios():
    assert round(contrast((0, 0, 0, 1), (255, 255, 255, 1)), 1) == 21.0
    # Bootstrap's navbar-dark link (white at 55 %) on its primary blue: the pale blue on blue of issue 10.
    assert contrast(over((255, 255, 255, 0.55), (13, 110, 253, 1)), (13, 110, 253, 1)) < 3


@pytest.mark.browser
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_navigation_reads_at_aa_contrast(size, live_server, default_sop, page: Page):
    people = make_people(default_sop)
    page.set_viewport_size(SIZES[size])
    page.goto(f"{live_server.url}/akun/masuk/")
    page.locator("#id_username").fill(people[SEKRETARIS].username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    if size == "phone":
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("link", name="Dokumen", exact=True)).to_be_visible()
    colours = page.evaluate(NAV_COLOURS)
    background = rgba(colours["background"])
    assert background[3] == 1.0, colours["background"]
    ratios = {}
    for text, colour, own_background in colours["texts"]:
        behind = over(rgba(own_background), background)
        ratios[text] = round(contrast(over(rgba(colour), behind), behind), 2)
    assert len(ratios) >= 6, ratios  # the links, the notifications, the name, log out (and the menu button)
    assert min(ratios.values()) >= 4.5, ratios
    # The page one is on is marked by more than colour.
    expect(page.locator("nav a[aria-current=page]")).to_have_text("Tugas saya")
