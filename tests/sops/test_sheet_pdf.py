"""The official SOP sheet as PDF: access, the identity block and the flowchart read back, A4 landscape."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, pgettext
from pypdf import PdfReader

from sakip.lib.pdf import static_url
from sakip.sops.models import Sop
from sakip.sops.sheet import build_sheet
from sakip.sops.sheet_pdf import BEYOND, PAGE_SIDE_MARGIN_MM, page_number_content, pdf_flowchart
from tests.sops.factories import make_sop
from tests.sops.test_sheet import make_nine_step_sop

LOGIN = "/akun/masuk/"
SHEET = "/sop/pengukuran-kinerja/"
PDF = f"{SHEET}pdf/"
A4_LANDSCAPE = (841.89, 595.28)  # pt


def revision_pdf(revision: int) -> str:
    return f"{SHEET}revisi/{revision}/pdf/"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_pdf(response) -> tuple[PdfReader, str]:
    """The PDF and its text, all pages, with collapsed spaces (pypdf breaks lines where the PDF wraps them)."""
    reader = PdfReader(io.BytesIO(response.content))
    return reader, squeeze(" ".join(page.extract_text() for page in reader.pages))


def assert_shows(text: str, value: str) -> None:
    # A distinctive prefix: pypdf may put a space where a long line wraps in the middle of a word.
    assert squeeze(value)[:40] in text, value


# --- access and methods ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PDF, revision_pdf(1)])
def test_it_sends_anonymous_visitors_to_the_login_page(client, default_sop, url):
    r = client.get(url)
    assert r.status_code == 302
    assert r.headers["Location"] == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("url", [PDF, revision_pdf(1)])
def test_it_rejects_post(staff_client, default_sop, url):
    assert staff_client.post(url).status_code == 405


def test_it_answers_404_for_an_unknown_sop(staff_client, default_sop):
    assert staff_client.get("/sop/tidak-ada/pdf/").status_code == 404
    assert staff_client.get("/sop/tidak-ada/revisi/1/pdf/").status_code == 404


def test_it_answers_404_for_an_unknown_revision(staff_client, default_sop):
    assert staff_client.get(revision_pdf(default_sop.revision + 1)).status_code == 404


def test_it_sends_the_sheet_as_a_pdf_shown_in_the_browser(staff_client, default_sop):
    r = staff_client.get(PDF)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert r.headers["Content-Disposition"] == 'inline; filename="sop-pengukuran-kinerja-rev1.pdf"'


@pytest.mark.parametrize(("page", "pdf"), [(SHEET, PDF), (f"{SHEET}revisi/1/", revision_pdf(1))])
def test_it_links_the_pdf_of_what_the_sheet_page_shows(staff_client, default_sop, page, pdf):
    html = staff_client.get(page).text
    [link] = re.findall(rf'<a [^>]*href="{pdf}"[^>]*>PDF</a>', html)
    assert "d-print-none" in link


# --- the paper ---------------------------------------------------------------------------------


def test_it_prints_on_a4_landscape_with_page_numbers(staff_client, default_sop):
    reader, _text = read_pdf(staff_client.get(PDF))
    # As on the paper sheet: the identity block on the first page, the flowchart on the next.
    assert len(reader.pages) >= 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height
        assert (width, height) == pytest.approx(A4_LANDSCAPE, abs=1)
    total = len(reader.pages)
    with translation.override(settings.LANGUAGE_CODE):
        for n, page in enumerate(reader.pages, start=1):
            assert gettext("Page %(n)s of %(total)s") % {"n": n, "total": total} in squeeze(page.extract_text())


def test_it_sizes_the_flowchart_for_the_page_margins_of_the_stylesheet():
    css = (settings.BASE_DIR / "static" / "css" / "sheet_pdf.css").read_text()
    page = re.search(r"@page\s*{[^}]*?size:\s*A4 landscape;\s*margin:\s*([^;]+);", css)
    assert page
    _top, right, _bottom, left = page.group(1).split()
    assert right == left == f"{PAGE_SIDE_MARGIN_MM}mm"


def test_it_writes_the_page_number_in_the_office_language():
    with translation.override("en"):
        assert str(page_number_content()) == '"Page " counter(page) " of " counter(pages)'
    with translation.override(settings.LANGUAGE_CODE):
        words = gettext("Page %(n)s of %(total)s").split("%(n)s")[0]
        assert str(page_number_content()).startswith(f'"{words}" counter(page)')


# --- what it says ------------------------------------------------------------------------------


def test_it_shows_the_identity_block(staff_client, default_sop):
    _reader, text = read_pdf(staff_client.get(PDF))
    for line in default_sop.instansi.splitlines():
        assert_shows(text, line)
    for value in (
        default_sop.nomor,
        default_sop.tanggal_pembuatan,
        default_sop.tanggal_revisi,
        default_sop.tanggal_efektif,
        default_sop.nama,
        default_sop.kualifikasi_pelaksana,
        default_sop.peralatan,
        default_sop.peringatan,
        *default_sop.dasar_hukum,
        *default_sop.keterkaitan,
        *default_sop.pencatatan,
    ):
        assert_shows(text, value)


def test_it_shows_the_headings_in_the_office_language_whatever_the_viewer_chose(client, staff_user, default_sop):
    client.force_login(staff_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _reader, text = read_pdf(client.get(PDF))
    with translation.override(settings.LANGUAGE_CODE):
        for heading in (
            "SOP number",
            "Date made",
            "Revision date",
            "Effective date",
            "Approved by",
            "SOP name",
            "Legal basis",
            "Qualification of the actors",
            "Related SOPs",
            "Equipment / supplies",
            "Warning",
            "Recording and data collection",
            "No.",
            "Activity",
            "Actors",
            "Quality standard",
            "Requirements / completeness",
            "Time",
            "Output",
            "Remarks",
        ):
            # The sheet writes its headings in capitals, as the paper does.
            assert gettext(heading).upper() in text, heading
        for answer in ("yes", "no"):
            assert pgettext("flowchart decision", answer) in text


def test_it_shows_every_actor_and_every_step(staff_client, default_sop):
    _reader, text = read_pdf(staff_client.get(PDF))
    for actor in default_sop.actors.all():
        assert_shows(text, actor.name)
    with translation.override(settings.LANGUAGE_CODE):
        for step in default_sop.ordered_steps():
            for value in (step.activity, step.requirement, step.output, step.notes):
                if value:
                    assert_shows(text, value)
            assert f"{step.duration} {step.get_duration_unit_display()}" in text


def test_it_shows_the_revision_asked_for(staff_client, default_sop):
    second = make_sop(
        slug=default_sop.slug,
        nama="Pengukuran Kinerja, revisi kedua",
        nomor="800/02/DISNAKER/2026",
        actors=["Kepala Dinas", "Pengelola Data"],
    )
    first_activity = default_sop.ordered_steps()[0].activity

    r = staff_client.get(revision_pdf(default_sop.revision))
    assert r.headers["Content-Disposition"] == 'inline; filename="sop-pengukuran-kinerja-rev1.pdf"'
    _reader, text = read_pdf(r)
    assert_shows(text, default_sop.nama)
    assert_shows(text, first_activity)
    assert second.nama not in text
    assert "Pengelola Data" not in text

    for url in (PDF, revision_pdf(second.revision)):
        r = staff_client.get(url)
        assert r.headers["Content-Disposition"] == 'inline; filename="sop-pengukuran-kinerja-rev2.pdf"'
        _reader, text = read_pdf(r)
        for value in (second.nama, second.nomor, "Kepala Dinas", "Pengelola Data", "Hasil langkah 3"):
            assert value in text
        assert squeeze(first_activity)[:30] not in text


# --- the flowchart's drawing -------------------------------------------------------------------


def test_it_draws_each_symbol_in_its_actors_column(default_sop):
    flow = pdf_flowchart(build_sheet(default_sop))
    names = [a.name for a in flow.actors]
    assert names == list(default_sop.actors.order_by("position").values_list("name", flat=True))
    for row in flow.rows:
        drawn = [names[i] for i, cell in enumerate(row.cells) if cell.symbol]
        assert drawn == [row.step.actor.name]
        symbol = next(cell.symbol for cell in row.cells if cell.symbol)
        assert symbol.shape == {"start": "terminator", "end": "terminator"}.get(row.step.kind, row.step.kind)
        assert 0 < symbol.x < symbol.x + symbol.width < flow.cell_width


def test_it_draws_the_returns_from_steps_5_and_6_back_to_step_4(default_sop):
    flow = pdf_flowchart(build_sheet(default_sop))
    by_number = {row.step.number: row for row in flow.rows}
    assert [(r.step.number, r.step.return_to) for r in flow.rows if r.step.is_decision] == [(5, 4), (6, 4)]
    target = by_number[4]
    column = [a.name for a in flow.actors].index(target.step.actor.name)
    # Two dashed lanes run up beside step 4 and end in one arrowhead each, pointing into its side.
    entries = [h for h in target.cells[column].arrowheads if h.path.startswith("M-8")]
    assert len(entries) == 2
    assert all(h.x == pytest.approx(target.cells[column].symbol.x) for h in entries)
    for number in (5, 6):
        decision = by_number[number]
        own = decision.cells[[a.name for a in flow.actors].index(decision.step.actor.name)]
        assert [label.returning for label in own.labels] == [False, True]  # "yes" down, "no" sideways
        # The dashed line runs along the decision's row and up through every row between, to step 4.
        for between in range(4, number + 1):
            assert any(line.dashed for line in by_number[between].cells[column].lines), (number, between)


def test_it_keeps_every_drawing_inside_its_cell(db):
    flow = pdf_flowchart(build_sheet(make_nine_step_sop()))
    for row in flow.rows:
        for cell in row.cells:
            for line in cell.lines:
                assert 0 <= min(line.x1, line.x2) <= max(line.x1, line.x2) <= flow.cell_width
                # Vertically, only lines to the row's top or bottom go beyond it (the cell cuts them off).
                for y in (line.y1, line.y2):
                    assert abs(y) == BEYOND or abs(y) < flow.middle
            for label in cell.labels:
                assert 0 < label.x < flow.cell_width


NUMBER = r"-?\d+(?:\.\d+)?"
NUMERIC_ATTRIBUTES = {
    "x": NUMBER,
    "y": NUMBER,
    "x1": NUMBER,
    "y1": NUMBER,
    "x2": NUMBER,
    "y2": NUMBER,
    "width": NUMBER,
    "height": NUMBER,
    "rx": NUMBER,
    "stroke-width": NUMBER,
    "font-size": NUMBER,
    "points": rf"{NUMBER},{NUMBER}(?: {NUMBER},{NUMBER})*",
    "transform": rf"translate\({NUMBER} {NUMBER}\)",
    "style": rf"width: {NUMBER}%",
}


class Attributes(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found += [(name, value) for name, value in attrs if name in NUMERIC_ATTRIBUTES]


def test_it_writes_the_numbers_of_the_drawing_with_a_decimal_point_in_indonesian(default_sop):
    context = {
        "sop": default_sop,
        "flow": pdf_flowchart(build_sheet(default_sop)),
        "stylesheet": static_url("css/sheet_pdf.css"),
        "page_number": page_number_content(),
    }
    with translation.override("id"):  # whose decimal separator is a comma
        html = render_to_string("sops/sheet_pdf.html", context)
    found = Attributes(html).found
    assert len(found) > 50
    assert any("." in value for _name, value in found)
    for name, value in found:
        assert re.fullmatch(NUMERIC_ATTRIBUTES[name], value), (name, value)


def test_it_makes_no_pdf_library_load_until_a_pdf_is_asked_for():
    code = (
        "import sys, django; django.setup(); "
        "import sakip.urls, sakip.sops.views, sakip.sops.sheet_pdf; "
        "assert 'weasyprint' not in sys.modules"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "sakip.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_it_renders_any_sop_of_the_office(staff_client, db):
    sop: Sop = make_nine_step_sop()
    reader, text = read_pdf(staff_client.get(f"/sop/{sop.slug}/pdf/"))
    assert len(reader.pages) >= 2
    for step in sop.ordered_steps():
        assert step.activity in text
