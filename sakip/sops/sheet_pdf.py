"""The SOP sheet's flowchart in absolute coordinates, for the PDF, which weasyprint draws without nested SVG frames."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.functional import lazy
from django.utils.translation import gettext

from sakip.sops import sheet as web
from sakip.sops.models import Actor, Step
from sakip.sops.sheet import ARROWHEAD_PATHS, SYMBOL_LEFT, Cell, Label, Line, Shape, Sheet

# The web page positions the drawing of a cell in two frames (see sheet.py) and lets
# the browser resolve them. weasyprint resolves neither percentages in nested <svg>
# frames nor positions against a table cell's final height, so the PDF fixes what it
# can and anchors the rest in the middle of the row:
#   x: the columns have fixed widths on a fixed page, so a % of a column is a number of px;
#   y: each actor cell holds one SVG, vertically centred in its row, whose 0 is the row's
#      middle. "The top" and "the bottom" of the row become lines running far beyond it,
#      clipped by the cell (overflow: hidden); a px offset from the top is measured from
#      the top of a row of the minimum height, so it lies at a fixed distance above the
#      middle. A row of the minimum height is drawn as the web page draws it.
PAGE_WIDTH_MM = 297  # A4 landscape
PAGE_SIDE_MARGIN_MM = 10  # must match the left and right margin of @page in static/css/sheet_pdf.css
PX_PER_MM = 96 / 25.4  # CSS px, which are also SVG user units
ROW_MIN_HEIGHT_MM = 22
TRANSFER_Y = 6  # px below the top of a row of the minimum height: where a forward arrow crosses columns
BEYOND = 4000  # px: "the top" and "the bottom" of a row, well past any row, cut off by the cell
STROKE = 1.1  # px
LABEL_SIZE = 8  # px
# The cell cuts off what crosses its border, so a label is kept inside: room for a word like "tidak".
LABEL_ROOM = 20  # px

# Widths of the flowchart's columns in % of the table; the actor columns share what is left.
COLUMNS = {
    "number": 2.8,
    "activity": 19,
    "requirement": 13,
    "time": 6.4,
    "output": 12,
    "notes": 7,
}


@dataclass(frozen=True)
class PdfLine:
    x1: float
    y1: float
    x2: float
    y2: float
    dashed: bool


@dataclass(frozen=True)
class PdfArrowhead:
    x: float  # the tip
    y: float
    path: str  # drawn with its tip at (0, 0)


@dataclass(frozen=True)
class PdfLabel:
    """A decision's way out: "yes" forward, "no" back."""

    x: float
    y: float
    anchor: str  # SVG text-anchor
    returning: bool


@dataclass(frozen=True)
class PdfSymbol:
    shape: Shape
    x: float
    y: float
    width: float
    height: float

    @property
    def is_diamond(self) -> bool:
        return self.shape is Shape.DECISION

    @property
    def corner_radius(self) -> float:
        return self.height / 2 if self.shape is Shape.TERMINATOR else 0

    @property
    def points(self) -> str:
        left, right, top, bottom = self.x, self.x + self.width, self.y, self.y + self.height
        middle = self.x + self.width / 2
        return f"{middle:g},{top:g} {right:g},0 {middle:g},{bottom:g} {left:g},0"


@dataclass
class PdfCell:
    lines: list[PdfLine] = field(default_factory=list)
    arrowheads: list[PdfArrowhead] = field(default_factory=list)
    labels: list[PdfLabel] = field(default_factory=list)
    symbol: PdfSymbol | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.lines or self.arrowheads or self.labels or self.symbol)


@dataclass(frozen=True)
class PdfRow:
    step: Step
    cells: list[PdfCell]


@dataclass(frozen=True)
class PdfFlowchart:
    actors: list[Actor]
    rows: list[PdfRow]
    actor_width_percent: float
    cell_width: float  # px: the width of an actor cell and of its SVG
    cell_height: float  # px: the height of the SVG, which is the minimum height of a row
    columns: dict[str, float] = field(default_factory=lambda: dict(COLUMNS))
    stroke: float = STROKE
    label_size: int = LABEL_SIZE

    @property
    def middle(self) -> float:
        return self.cell_height / 2


def pdf_flowchart(sheet: Sheet) -> PdfFlowchart:
    actor_percent = (100 - sum(COLUMNS.values())) / max(len(sheet.actors), 1)
    width = (PAGE_WIDTH_MM - 2 * PAGE_SIDE_MARGIN_MM) * PX_PER_MM * actor_percent / 100
    height = ROW_MIN_HEIGHT_MM * PX_PER_MM
    frame = _Frame(width=width, half_height=height / 2)
    rows = [PdfRow(step=row.step, cells=[frame.cell(cell) for cell in row.cells]) for row in sheet.rows]
    return PdfFlowchart(
        actors=sheet.actors,
        rows=rows,
        actor_width_percent=round(actor_percent, 4),
        cell_width=round(width, 2),
        cell_height=round(height, 2),
    )


@dataclass(frozen=True)
class _Frame:
    """Turns the web page's two frames of one actor cell into px from the cell's left and the row's middle."""

    width: float
    half_height: float

    def x(self, value: str) -> float:
        if value.endswith("%"):
            return round(float(value[:-1]) * self.width / 100, 2)
        return float(value)

    def cell_y(self, value: str) -> float:
        """The cell frame: % of the row's height, or px from its top."""
        if value.endswith("%"):
            fraction = float(value[:-1]) / 100
            return 0.0 if fraction == 0.5 else (BEYOND if fraction > 0.5 else -BEYOND)
        offset = float(value)
        if offset == 0:
            return -BEYOND
        if offset == web.TRANSFER_Y:  # the web page's rows are taller; the PDF crosses at its own height
            offset = TRANSFER_Y
        return round(offset - self.half_height, 2)

    def line(self, line: Line, *, returning: bool, middle: bool) -> PdfLine:
        y = float if middle else self.cell_y
        return PdfLine(self.x(line.x1), y(line.y1), self.x(line.x2), y(line.y2), dashed=returning)

    def label(self, label: Label, *, returning: bool) -> PdfLabel:
        x, anchor = self.x(label.x) + label.dx, label.anchor
        if anchor == "start" and x + LABEL_ROOM > self.width:
            x, anchor = self.width - 1, "end"
        elif anchor == "end" and x - LABEL_ROOM < 0:
            x, anchor = 1.0, "start"
        return PdfLabel(round(x, 2), float(label.y), anchor, returning=returning)

    def cell(self, cell: Cell) -> PdfCell:
        drawn = PdfCell()
        for piece in cell.pieces:
            drawn.lines += [self.line(line, returning=piece.returning, middle=False) for line in piece.lines]
            drawn.lines += [self.line(line, returning=piece.returning, middle=True) for line in piece.middle_lines]
            if piece.arrowhead:
                head = piece.arrowhead
                drawn.arrowheads.append(PdfArrowhead(self.x(head.x), float(head.y), ARROWHEAD_PATHS[head.direction]))
            if piece.label:
                drawn.labels.append(self.label(piece.label, returning=piece.returning))
        if cell.symbol:
            left = self.width * SYMBOL_LEFT / 100
            drawn.symbol = PdfSymbol(
                shape=cell.symbol.shape,
                x=round(left, 2),
                y=float(cell.symbol.y),
                width=round(self.width - 2 * left, 2),
                height=float(cell.symbol.height),
            )
        return drawn


def _css_string(text: str) -> str:
    # A CSS string inside an HTML <style>: quote, backslash and "<" (no "</style>") escaped.
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return f'"{escaped}"'


def _page_number_content() -> str:
    """The CSS `content` of the page number, from the translated "Page n of total" in the active language."""
    marker = "\x00"
    text = gettext("Page %(n)s of %(total)s") % {"n": f"{marker}n{marker}", "total": f"{marker}total{marker}"}
    parts = []
    for i, part in enumerate(re.split(f"{marker}(n|total){marker}", text)):
        if i % 2:
            parts.append("counter(page)" if part == "n" else "counter(pages)")
        elif part:
            parts.append(_css_string(part))
    return " ".join(parts)


# Lazy: the PDF is rendered in the office's language (render_pdf switches to it), not the viewer's.
page_number_content = lazy(_page_number_content, str)
