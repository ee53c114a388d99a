"""The flowchart of the official SOP sheet as geometry: which cell holds which symbol, line, arrow and label."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sakip.sops.models import Actor, Sop, Step

# Every actor cell of the flowchart carries its own SVG, because the height of
# a row follows the wrapped text of its activity and cannot be known here. So
# the drawing is cut at the cell borders and positioned in two frames:
#   the cell frame:   x in % of the cell's width, y in % of its height or px from its top;
#   the middle frame: x in % of the cell's width, y in px from the middle of the row.
# Symbols are as wide as a fixed share of the column and as tall as a fixed number
# of px, so every edge of a symbol is expressible in one of the two frames.
SYMBOL_LEFT = 18  # % of the column; the symbol spans SYMBOL_LEFT .. 100 - SYMBOL_LEFT
HALF_HEIGHT = {"terminator": 15, "process": 18, "decision": 24}  # px
TRANSFER_Y = 10  # px below a row's top: where a forward arrow crosses to another actor's column
LANE_INNER = 11  # % from the column's edge of the return lane nearest the symbol
LANE_STEP = 6  # % between two return lanes side by side
LANE_OUTER_LIMIT = 2  # % from the edge: lanes beyond it are squeezed onto it
LABEL_GAP = 4  # px between a decision's symbol and its "yes"/"no" label

# Arrowheads drawn with their tip at (0, 0), pointing the named way.
ARROWHEAD_PATHS = {
    "down": "M-4,-8 L0,0 L4,-8 Z",
    "right": "M-8,-4 L0,0 L-8,4 Z",
    "left": "M8,-4 L0,0 L8,4 Z",
}


class Shape(StrEnum):
    TERMINATOR = "terminator"
    PROCESS = "process"
    DECISION = "decision"


SHAPE_OF_KIND = {
    Step.Kind.START: Shape.TERMINATOR,
    Step.Kind.END: Shape.TERMINATOR,
    Step.Kind.PROCESS: Shape.PROCESS,
    Step.Kind.DECISION: Shape.DECISION,
}


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True)
class Connector:
    """The arrow from one step to the next, in reading order (rows and columns are 0-based)."""

    from_row: int
    to_row: int
    from_column: int
    to_column: int
    from_decision: bool  # then labelled "yes"


@dataclass(frozen=True)
class ReturnArc:
    """The dashed arrow from a decision back to the earlier step a draft returns to.

    It leaves the decision sideways, runs along the row to a lane at the `side`
    edge of the target's column, up that lane and into the target's side. Lanes
    keep apart the arcs that share a column edge: lane 0 is the nearest to the
    symbols.
    """

    from_row: int
    to_row: int
    from_column: int
    to_column: int
    side: Side
    lane: int
    lane_x: float  # % of the column's width from its left edge

    @property
    def leaves_right(self) -> bool:
        return self.to_column >= self.from_column


@dataclass(frozen=True)
class Line:
    x1: str
    y1: str
    x2: str
    y2: str


@dataclass(frozen=True)
class Arrowhead:
    """Tip at (x, y) of the middle frame."""

    x: str
    y: str
    direction: str

    @property
    def path(self) -> str:
        return ARROWHEAD_PATHS[self.direction]


@dataclass(frozen=True)
class Label:
    """The "yes" or "no" of a decision, in the middle frame; x in %, dx and y in px."""

    x: str
    dx: int
    y: int
    anchor: str  # SVG text-anchor


@dataclass
class Piece:
    """What one arrow (forward or return) draws inside one cell."""

    returning: bool
    from_step: int  # step numbers, for the reader and the tests: the arrow's ends
    to_step: int
    lines: list[Line] = field(default_factory=list)  # cell frame
    middle_lines: list[Line] = field(default_factory=list)  # middle frame
    arrowhead: Arrowhead | None = None
    label: Label | None = None

    @property
    def has_middle(self) -> bool:
        return bool(self.middle_lines or self.arrowhead or self.label)


@dataclass(frozen=True)
class Symbol:
    shape: Shape
    half_height: int

    x = f"{SYMBOL_LEFT}%"
    width = f"{100 - 2 * SYMBOL_LEFT}%"

    @property
    def y(self) -> int:
        return -self.half_height

    @property
    def height(self) -> int:
        return 2 * self.half_height

    @property
    def corner_radius(self) -> int:
        return self.half_height if self.shape is Shape.TERMINATOR else 0

    @property
    def is_diamond(self) -> bool:
        return self.shape is Shape.DECISION

    # A diamond is a polygon in a 100-wide box stretched to the symbol's width.
    @property
    def view_box(self) -> str:
        return f"0 0 100 {self.height}"

    @property
    def points(self) -> str:
        h = self.half_height
        return f"50,1 99,{h} 50,{2 * h - 1} 1,{h}"


@dataclass
class Cell:
    column: int
    symbol: Symbol | None = None
    pieces: list[Piece] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.symbol is None and not self.pieces

    def piece(self, *, returning: bool, from_step: int, to_step: int) -> Piece:
        for piece in self.pieces:
            if (piece.returning, piece.from_step, piece.to_step) == (returning, from_step, to_step):
                return piece
        piece = Piece(returning=returning, from_step=from_step, to_step=to_step)
        self.pieces.append(piece)
        return piece


@dataclass(frozen=True)
class SheetRow:
    step: Step
    column: int  # 0-based index of the actor's column
    cells: list[Cell]  # one per actor column


@dataclass(frozen=True)
class Sheet:
    actors: list[Actor]
    rows: list[SheetRow]
    connectors: list[Connector]
    returns: list[ReturnArc]


def build_sheet(sop: Sop) -> Sheet:
    actors = list(sop.actors.order_by("position"))
    index = {actor.pk: i for i, actor in enumerate(actors)}
    steps = sop.ordered_steps()
    columns = [index[step.actor_id] for step in steps]
    grid = [[Cell(column=c) for c in range(len(actors))] for _ in steps]
    for row, (step, column) in enumerate(zip(steps, columns, strict=True)):
        shape = SHAPE_OF_KIND[step.kind]
        grid[row][column].symbol = Symbol(shape=shape, half_height=HALF_HEIGHT[shape])

    connectors = [
        Connector(
            from_row=row,
            to_row=row + 1,
            from_column=columns[row],
            to_column=columns[row + 1],
            from_decision=steps[row].is_decision,
        )
        for row in range(len(steps) - 1)
    ]
    returns = _return_arcs(steps, columns)
    for connector in connectors:
        _draw_connector(grid, steps, connector)
    for arc in returns:
        _draw_return(grid, steps, arc)

    rows = [
        SheetRow(step=step, column=column, cells=cells)
        for step, column, cells in zip(steps, columns, grid, strict=True)
    ]
    return Sheet(actors=actors, rows=rows, connectors=connectors, returns=returns)


def _return_arcs(steps: list[Step], columns: list[int]) -> list[ReturnArc]:
    row_of = {step.number: row for row, step in enumerate(steps)}
    found = []
    for row, step in enumerate(steps):
        # An inconsistent definition (caught by validate_definition elsewhere) must
        # not break the page: a return to a missing or later step is not drawn.
        target = row_of.get(step.return_to) if step.is_decision and step.return_to is not None else None
        if target is None or target >= row:
            continue
        side = Side.RIGHT if columns[row] >= columns[target] else Side.LEFT
        found.append((row, target, side))

    # Within one column edge, the longest arcs take the lanes nearest the symbols,
    # so that a shorter arc to the same target runs outside it instead of across it.
    lanes: dict[tuple[int, Side], list[list[tuple[int, int]]]] = {}
    assigned: dict[tuple[int, int], int] = {}
    for row, target, side in sorted(found, key=lambda f: (f[1] - f[0], f[0])):  # longest span first
        taken = lanes.setdefault((columns[target], side), [])
        lane = next(
            (i for i, spans in enumerate(taken) if all(row < lo or target > hi for lo, hi in spans)),
            len(taken),
        )
        if lane == len(taken):
            taken.append([])
        taken[lane].append((target, row))
        assigned[row, target] = lane

    arcs = []
    for row, target, side in found:
        lane = assigned[row, target]
        offset = max(LANE_INNER - lane * LANE_STEP, LANE_OUTER_LIMIT)
        arcs.append(
            ReturnArc(
                from_row=row,
                to_row=target,
                from_column=columns[row],
                to_column=columns[target],
                side=side,
                lane=lane,
                lane_x=offset if side is Side.LEFT else 100 - offset,
            )
        )
    return arcs


def _pct(value: float) -> str:
    return f"{value:g}%"


def _between(a: int, b: int) -> range:
    return range(min(a, b) + 1, max(a, b))


def _half_height(steps: list[Step], row: int) -> int:
    return HALF_HEIGHT[SHAPE_OF_KIND[steps[row].kind]]


def _draw_connector(grid: list[list[Cell]], steps: list[Step], c: Connector) -> None:
    """Down out of the symbol, across at the top of the next row if the actor changes, down into the next symbol."""
    key = {"returning": False, "from_step": steps[c.from_row].number, "to_step": steps[c.to_row].number}
    source = grid[c.from_row][c.from_column].piece(**key)
    # Starts at the symbol's centre: the symbol, drawn on top, hides the inner part.
    source.lines.append(Line("50%", "50%", "50%", "100%"))
    if c.from_decision:
        source.label = Label(x="50%", dx=LABEL_GAP, y=_half_height(steps, c.from_row) + 11, anchor="start")

    if c.from_column == c.to_column:
        grid[c.to_row][c.to_column].piece(**key).lines.append(Line("50%", "0", "50%", "50%"))
    else:
        right = c.to_column > c.from_column
        near, far = ("100%", "0") if right else ("0", "100%")
        y = str(TRANSFER_Y)
        grid[c.to_row][c.from_column].piece(**key).lines += [Line("50%", "0", "50%", y), Line("50%", y, near, y)]
        for column in _between(c.from_column, c.to_column):
            grid[c.to_row][column].piece(**key).lines.append(Line("0", y, "100%", y))
        grid[c.to_row][c.to_column].piece(**key).lines += [Line(far, y, "50%", y), Line("50%", y, "50%", "50%")]

    target = grid[c.to_row][c.to_column].piece(**key)
    target.arrowhead = Arrowhead(x="50%", y=str(-_half_height(steps, c.to_row)), direction="down")


def _draw_return(grid: list[list[Cell]], steps: list[Step], arc: ReturnArc) -> None:
    """Sideways out of the decision, along its row to the lane, up the lane, into the target's side."""
    key = {"returning": True, "from_step": steps[arc.from_row].number, "to_step": steps[arc.to_row].number}
    lane = _pct(arc.lane_x)
    right = arc.leaves_right
    near, far = ("100%", "0") if right else ("0", "100%")
    edge = _pct(100 - SYMBOL_LEFT) if right else _pct(SYMBOL_LEFT)

    decision = grid[arc.from_row][arc.from_column].piece(**key)
    decision.label = Label(
        x=edge, dx=LABEL_GAP if right else -LABEL_GAP, y=-LABEL_GAP, anchor="start" if right else "end"
    )
    if arc.from_column == arc.to_column:
        decision.middle_lines.append(Line("50%", "0", lane, "0"))
    else:
        decision.middle_lines.append(Line("50%", "0", near, "0"))
        for column in _between(arc.from_column, arc.to_column):
            grid[arc.from_row][column].piece(**key).middle_lines.append(Line("0", "0", "100%", "0"))
        grid[arc.from_row][arc.to_column].piece(**key).middle_lines.append(Line(far, "0", lane, "0"))

    grid[arc.from_row][arc.to_column].piece(**key).lines.append(Line(lane, "50%", lane, "0"))
    for row in range(arc.to_row + 1, arc.from_row):
        grid[row][arc.to_column].piece(**key).lines.append(Line(lane, "100%", lane, "0"))
    target = grid[arc.to_row][arc.to_column].piece(**key)
    target.lines.append(Line(lane, "100%", lane, "50%"))
    side_edge = _pct(SYMBOL_LEFT) if arc.side is Side.LEFT else _pct(100 - SYMBOL_LEFT)
    target.middle_lines.append(Line(lane, "0", side_edge, "0"))
    target.arrowhead = Arrowhead(x=side_edge, y="0", direction="right" if arc.side is Side.LEFT else "left")
