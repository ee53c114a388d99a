"""The official SOP sheet: identity block, flowchart drawn from the SOP's data, revision history."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from django.conf import settings
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from sakip.sops.models import Sop, Step
from sakip.sops.sheet import SYMBOL_LEFT, Shape, Side, build_sheet
from tests.conftest import make_user
from tests.sops.factories import make_sop

LOGIN = "/akun/masuk/"
SHEET = "/sop/pengukuran-kinerja/"
SHAPE = {"start": "terminator", "end": "terminator", "process": "process", "decision": "decision"}

# The nine-step SOP of the geometry tests: (actor, kind, returns to) per step, numbered from 1.
NINE = [
    ("Kepala", "start", None),
    ("Kasubbag", "process", None),
    ("Staf", "process", None),
    ("Staf", "process", None),
    ("Kasubbag", "decision", 3),
    ("Kepala", "process", None),
    ("Staf", "decision", 2),
    ("Staf", "process", None),
    ("Kepala", "end", None),
]


def make_nine_step_sop(slug: str = "sembilan") -> Sop:
    return make_sop(
        slug=slug,
        steps=len(NINE),
        actors=["Kepala", "Kasubbag", "Staf"],
        step_actors={n: actor for n, (actor, _kind, _back) in enumerate(NINE, start=1)},
        decisions={n: back for n, (_actor, _kind, back) in enumerate(NINE, start=1) if back},
    )


# --- reading the page as a person (and a screen reader) would -------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    row: str  # id of the table row it sits in
    cell: int  # 0-based index of the cell in that row
    group: dict[str, str] = field(default_factory=dict)  # attributes of the SVG <g> around it

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class Page(HTMLParser):
    """Every element of a page with where it sits, and the page's text with collapsed spaces."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._rows: list[list] = []  # [row id, cell index]
        self._groups: list[dict[str, str]] = []
        self._text: list[str] = []
        self.feed(html)
        self.text = re.sub(r"\s+", " ", " ".join(self._text))

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "tr":
            self._rows.append([attrs.get("id", ""), -1])
        if tag in ("td", "th") and self._rows:
            self._rows[-1][1] += 1
        row, cell = self._rows[-1] if self._rows else ("", -1)
        self.elements.append(Element(tag, attrs, row, cell, self._groups[-1] if self._groups else {}))
        if tag == "g":
            self._groups.append(attrs)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "g":
            self._groups.pop()

    def handle_endtag(self, tag):
        if tag == "tr" and self._rows:
            self._rows.pop()
        if tag == "g" and self._groups:
            self._groups.pop()

    def handle_data(self, data):
        self._text.append(data)

    def with_class(self, name: str) -> list[Element]:
        return [e for e in self.elements if name in e.classes]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def actor_cell(sop: Sop, step: Step) -> int:
    """The cell index of a step's actor column: after No. and Activity, in the actors' position order."""
    names = [a.name for a in sop.actors.order_by("position")]
    return 2 + names.index(step.actor.name)


# --- access and methods ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/sop/", SHEET, f"{SHEET}revisi/1/"])
def test_it_sends_anonymous_visitors_to_the_login_page(client, default_sop, url):
    r = client.get(url)
    assert r.status_code == 302
    assert r.headers["Location"] == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("url", ["/sop/", SHEET, f"{SHEET}revisi/1/"])
def test_it_rejects_post(staff_client, default_sop, url):
    assert staff_client.post(url).status_code == 405


def test_it_answers_404_for_an_unknown_sop(staff_client, default_sop):
    assert staff_client.get("/sop/tidak-ada/").status_code == 404
    assert staff_client.get("/sop/tidak-ada/revisi/1/").status_code == 404


def test_it_answers_404_for_an_unknown_revision(staff_client, default_sop):
    assert staff_client.get(f"{SHEET}revisi/{default_sop.revision + 1}/").status_code == 404


# --- the identity block ------------------------------------------------------------------------


def test_it_shows_the_identity_block_as_stored(staff_client, default_sop):
    page = Page(staff_client.get(SHEET).text)
    for line in default_sop.instansi.splitlines():
        assert line in page.text
    for value in (
        default_sop.nomor,
        default_sop.tanggal_pembuatan,
        default_sop.tanggal_revisi,
        default_sop.tanggal_efektif,
        default_sop.nama,
        default_sop.kualifikasi_pelaksana,
        default_sop.peralatan,
        default_sop.peringatan,
    ):
        assert squeeze(value) in page.text
    items = [squeeze(e) for e in (*default_sop.dasar_hukum, *default_sop.keterkaitan, *default_sop.pencatatan)]
    for item in items:
        assert item in page.text
    numbered = [e for e in page.elements if e.tag == "li" and e.cell >= 0]
    assert len(numbered) == len(items)


def test_it_shows_the_headings_in_the_chosen_language(client, staff_user, default_sop):
    client.force_login(staff_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = Page(client.get(SHEET).text).text
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
        "Activity",
        "Actors",
        "Quality standard",
        "Requirements / completeness",
        "Output",
        "Remarks",
        "Revision history",
    ):
        assert heading in text


# --- the flowchart table -----------------------------------------------------------------------


def test_it_heads_one_column_per_actor_in_position_order(staff_client, default_sop):
    page = Page(staff_client.get(SHEET).text)
    headers = [e for e in page.elements if e.tag == "th" and "sheet-actor" in e.classes]
    names = list(default_sop.actors.order_by("position").values_list("name", flat=True))
    assert len(headers) == len(names)
    positions = [page.text.index(f" {name} ") for name in names]
    assert positions == sorted(positions)


def test_it_shows_every_step_with_its_quality_standard(staff_client, default_sop):
    page = Page(staff_client.get(SHEET).text)
    with translation.override(settings.LANGUAGE_CODE):
        for step in default_sop.ordered_steps():
            for text in (step.activity, step.requirement, step.output, step.notes):
                assert squeeze(text) in page.text
            assert f"{step.duration} {step.get_duration_unit_display()}" in page.text
            assert any(e.tag == "tr" and e.attrs.get("id") == f"step-{step.number}" for e in page.elements)


def test_it_draws_one_symbol_per_step_in_its_actors_column(staff_client, default_sop):
    page = Page(staff_client.get(SHEET).text)
    steps = default_sop.ordered_steps()
    expected = Counter(SHAPE[step.kind] for step in steps)
    for shape in ("terminator", "process", "decision"):
        assert len(page.with_class(f"flow-symbol--{shape}")) == expected[shape], shape
    assert expected == Counter({"terminator": 2, "process": 3, "decision": 2})  # the sheet as the office drew it
    for step in steps:
        [symbol] = [e for e in page.with_class("flow-symbol") if e.row == f"step-{step.number}"]
        assert f"flow-symbol--{SHAPE[step.kind]}" in symbol.classes
        assert symbol.cell == actor_cell(default_sop, step)


def test_it_connects_each_step_to_the_next_with_an_arrow(staff_client, default_sop):
    page = Page(staff_client.get(SHEET).text)
    steps = default_sop.ordered_steps()
    for before, after in pairwise(steps):
        [arrowhead] = [
            e
            for e in page.with_class("flow-arrowhead")
            if e.group.get("class") == "flow-forward" and e.group.get("data-from") == str(before.number)
        ]
        assert arrowhead.group["data-to"] == str(after.number)
        assert arrowhead.row == f"step-{after.number}"
        assert arrowhead.cell == actor_cell(default_sop, after)
    # Each decision's way forward is labelled, in its own row.
    for step in steps:
        labels = [
            e
            for e in page.with_class("flow-label")
            if e.group.get("class") == "flow-forward" and e.row == f"step-{step.number}"
        ]
        assert len(labels) == (1 if step.is_decision else 0)


def test_it_draws_each_return_back_to_its_target_step(staff_client, default_sop):
    page = Page(staff_client.get(SHEET).text)
    decisions = [s for s in default_sop.ordered_steps() if s.is_decision]
    assert [(s.number, s.return_to) for s in decisions] == [(5, 4), (6, 4)]  # as on the paper sheet
    by_number = {s.number: s for s in default_sop.ordered_steps()}
    for decision in decisions:
        target = by_number[decision.return_to]
        pieces = [
            e
            for e in page.elements
            if e.group.get("class") == "flow-return" and e.group.get("data-from") == str(decision.number)
        ]
        assert {e.group["data-to"] for e in pieces} == {str(target.number)}
        # The arrowhead points into the target step, in its actor's column.
        [arrowhead] = [e for e in pieces if "flow-arrowhead" in e.classes]
        assert arrowhead.row == f"step-{target.number}"
        assert arrowhead.cell == actor_cell(default_sop, target)
        # The dashed line leaves the decision with its "no" label and runs through every row between.
        [label] = [e for e in pieces if "flow-label" in e.classes]
        assert label.row == f"step-{decision.number}"
        rows = {e.row for e in pieces if e.tag == "line"}
        assert rows == {f"step-{n}" for n in range(target.number, decision.number + 1)}


def test_it_writes_no_inline_style_or_script(staff_client, default_sop):
    html = staff_client.get(SHEET).text
    assert "style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert "/static/css/sheet.css" in html


def test_it_prints_the_sheet_alone_on_a4_landscape(staff_client, default_sop):
    page = Page(staff_client.get(SHEET).text)
    assert "d-print-none" in page.elements[[e.tag for e in page.elements].index("nav")].classes
    history = [e for e in page.elements if e.tag == "section"]
    assert history
    assert all("d-print-none" in e.classes for e in history)
    css = (settings.BASE_DIR / "static" / "css" / "sheet.css").read_text()
    assert re.search(r"@page\s*{[^}]*size:\s*A4 landscape", css)
    # On a phone the sheet scrolls sideways instead of squeezing the columns.
    [wrapper] = [e for e in page.elements if "sheet-scroll" in e.classes]
    assert "table-responsive" in wrapper.classes


# --- revisions ---------------------------------------------------------------------------------


def test_it_lists_the_revisions_and_marks_the_shown_and_the_newest(staff_client, default_sop):
    author = make_user("penyusun", first_name="Rina", last_name="Wati")
    second = make_sop(slug=default_sop.slug, by=author, revision_note="Langkah disederhanakan")
    r = staff_client.get(f"{SHEET}revisi/{default_sop.revision}/")
    page = Page(r.text)

    links = {
        e.attrs["href"]: e
        for e in page.elements
        if e.tag == "a" and "/revisi/" in e.attrs.get("href", "") and not e.attrs["href"].endswith("/pdf/")
    }
    first_url = f"{SHEET}revisi/{default_sop.revision}/"
    second_url = f"{SHEET}revisi/{second.revision}/"
    assert set(links) == {first_url, second_url}
    assert links[first_url].attrs.get("aria-current") == "page"
    assert "aria-current" not in links[second_url].attrs
    assert [e.row for e in page.with_class("revision-shown")] == [f"revision-{default_sop.revision}"]
    assert [e.row for e in page.with_class("revision-newest")] == [f"revision-{second.revision}"]

    assert "Langkah disederhanakan" in page.text
    assert "Rina Wati" in page.text
    with translation.override(settings.LANGUAGE_CODE):
        for sop in (default_sop, second):
            assert date_filter(timezone.localtime(sop.created_at), "DATETIME_FORMAT") in page.text
    # The older revision's own content is shown, not the newest's.
    assert default_sop.nama in page.text
    assert second.nama not in page.text
    assert f'href="{SHEET}"' in r.text  # a way to the newest revision


def test_it_lists_the_newest_revision_first(staff_client, default_sop):
    second = make_sop(slug=default_sop.slug)
    page = Page(staff_client.get(SHEET).text)
    hrefs = [
        e.attrs["href"]
        for e in page.elements
        if e.tag == "a" and "/revisi/" in e.attrs.get("href", "") and not e.attrs["href"].endswith("/pdf/")
    ]
    assert hrefs == [f"{SHEET}revisi/{second.revision}/", f"{SHEET}revisi/{default_sop.revision}/"]
    assert second.nama in page.text


def test_it_lists_the_sop_on_the_list_page(staff_client, default_sop):
    r = staff_client.get("/sop/")
    assert r.status_code == 200
    assert default_sop.nama in r.text
    assert f'href="{SHEET}"' in r.text


def test_it_reads_the_sheet_with_a_fixed_number_of_queries(staff_client, db):
    small = make_sop(slug="kecil")
    large = make_nine_step_sop()
    counts = []
    for sop in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(f"/sop/{sop.slug}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The sheet's own five (SOP, actors, steps, newest revision, revisions) and what every page costs.
    assert counts[0] <= 9


# --- the geometry, from the SOP's data ---------------------------------------------------------


def test_it_lays_out_a_three_step_sop(db):
    sop = make_sop(slug="tiga", steps=3, actors=["Kepala", "Staf"], step_actors={1: "Kepala", 2: "Staf", 3: "Kepala"})
    sheet = build_sheet(sop)

    assert [a.name for a in sheet.actors] == ["Kepala", "Staf"]
    assert [row.column for row in sheet.rows] == [0, 1, 0]
    assert [[cell.symbol.shape if cell.symbol else None for cell in row.cells] for row in sheet.rows] == [
        [Shape.TERMINATOR, None],
        [None, Shape.PROCESS],
        [Shape.TERMINATOR, None],
    ]
    assert [(c.from_row, c.to_row, c.from_column, c.to_column, c.from_decision) for c in sheet.connectors] == [
        (0, 1, 0, 1, False),
        (1, 2, 1, 0, False),
    ]
    assert sheet.returns == []
    # The arrow into each later step ends on its symbol, pointing down; nothing returns.
    for row in sheet.rows[1:]:
        [piece] = [p for p in row.cells[row.column].pieces if p.arrowhead]
        assert piece.arrowhead.direction == "down"
        assert not piece.returning
    assert not any(p.label for row in sheet.rows for cell in row.cells for p in cell.pieces)


def test_it_lays_out_a_nine_step_sop_with_two_decisions(db):
    sheet = build_sheet(make_nine_step_sop())
    column = {"Kepala": 0, "Kasubbag": 1, "Staf": 2}

    assert [row.column for row in sheet.rows] == [column[actor] for actor, _kind, _back in NINE]
    assert [row.cells[row.column].symbol.shape.value for row in sheet.rows] == [SHAPE[k] for _a, k, _b in NINE]
    assert all(cell.symbol is None for row in sheet.rows for cell in row.cells if cell.column != row.column)

    # Forward: every step to the next, labelled "yes" out of a decision, crossing the columns in between.
    assert [(c.from_column, c.to_column) for c in sheet.connectors] == [
        (column[a], column[b]) for (a, _k, _r), (b, _k2, _r2) in pairwise(NINE)
    ]
    assert [c.from_decision for c in sheet.connectors] == [k == "decision" for _a, k, _r in NINE[:-1]]
    for c in sheet.connectors:
        lo, hi = sorted((c.from_column, c.to_column))
        crossed = [cell.column for cell in sheet.rows[c.to_row].cells if any(not p.returning for p in cell.pieces)]
        assert crossed == list(range(lo, hi + 1))

    # Returns: step 5 (Kasubbag) to step 3 (Staf, to its right) and step 7 (Staf) to step 2 (Kasubbag, to its left).
    arcs = {(a.from_row + 1, a.to_row + 1): a for a in sheet.returns}
    assert set(arcs) == {(5, 3), (7, 2)}
    assert (arcs[5, 3].side, arcs[5, 3].leaves_right) == (Side.LEFT, True)
    assert (arcs[7, 2].side, arcs[7, 2].leaves_right) == (Side.RIGHT, False)
    for (decision, target), arc in arcs.items():
        assert arc.lane == 0  # alone on its column edge
        assert arc.lane_x < SYMBOL_LEFT or arc.lane_x > 100 - SYMBOL_LEFT  # beside the symbols, never through one
        rows_drawn = [
            row.step.number
            for row in sheet.rows
            if any(p.returning and p.from_step == decision for p in row.cells[arc.to_column].pieces)
        ]
        assert rows_drawn == list(range(target, decision + 1))
        [entry] = [p for p in sheet.rows[target - 1].cells[arc.to_column].pieces if p.returning and p.arrowhead]
        assert entry.to_step == target
        assert entry.arrowhead.direction == ("right" if arc.side is Side.LEFT else "left")
        [exit_] = [
            p for p in sheet.rows[decision - 1].cells[arc.from_column].pieces if p.returning and p.from_step == decision
        ]
        assert exit_.label is not None


def test_it_keeps_returns_to_the_same_step_in_separate_lanes(default_sop):
    sheet = build_sheet(default_sop)
    lanes = {(a.from_row + 1, a.to_row + 1): a for a in sheet.returns}
    assert set(lanes) == {(5, 4), (6, 4)}
    assert lanes[5, 4].side == lanes[6, 4].side == Side.LEFT
    # The longer return runs nearer the symbols, so that the shorter one joins it without crossing it.
    assert lanes[6, 4].lane == 0
    assert lanes[5, 4].lane == 1
    assert lanes[5, 4].lane_x < lanes[6, 4].lane_x < SYMBOL_LEFT


def test_it_draws_a_return_within_one_column(db):
    sop = make_sop(
        slug="satu-kolom",
        steps=4,
        actors=["Kepala", "Staf"],
        step_actors={1: "Kepala", 2: "Staf", 3: "Staf", 4: "Kepala"},
        decisions={3: 2},
    )
    sheet = build_sheet(sop)
    [arc] = sheet.returns
    assert (arc.from_column, arc.to_column, arc.side, arc.leaves_right) == (1, 1, Side.RIGHT, True)
    assert arc.lane_x > 100 - SYMBOL_LEFT
    # Nothing of the return strays into the other actor's column.
    assert not any(p.returning for row in sheet.rows for p in row.cells[0].pieces)
