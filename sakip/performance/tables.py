"""The measurement as the page, the spreadsheet and the PDF show it: rows ready to print, a chart, a diff."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sakip.lib.numbers import format_id_decimal, format_in_decimals, round_half_up
from sakip.performance.capaian import Result, absorption, rating
from sakip.performance.models import IndicatorResult, Measurement, ProgrammeResult, RatingBand, Snapshot

CHART_MAX = Decimal(150)  # bars are drawn up to 150 %; the number beside them is the real value
# Beside a bar there is room for "-9.999,99 %": a wider label would be cut to a different number, so
# from 10.000 % on it gives the bound, and the table above the chart the value.
CHART_LABEL_LIMIT = Decimal(10_000)


@dataclass
class IndicatorRow:
    number: int
    objective: str
    objective_rowspan: int  # 0 on rows after the first of their objective
    result: IndicatorResult
    capaian: Result
    rating: str
    target: str
    realisation: str


@dataclass
class ProgrammeRow:
    number: int
    objective: str
    objective_rowspan: int
    result: ProgrammeResult
    budget: str
    realised: str
    absorption: Result


@dataclass
class ChartBar:
    label: str
    value: str
    y: int
    width: Decimal  # percent of the drawing's bar area
    state: str


@dataclass
class MeasurementTable:
    indicators: list[IndicatorRow] = field(default_factory=list)
    programmes: list[ProgrammeRow] = field(default_factory=list)
    bars: list[ChartBar] = field(default_factory=list)
    chart_height: int = 0
    reference_x: Decimal = Decimal(0)  # where 100 % sits, in percent of the bar area
    budget_total: str = ""
    realised_total: str = ""
    absorption_total: Result | None = None


def _chart_label(achieved: Result) -> str:
    if not achieved.is_ok:
        return ""
    shown = round_half_up(achieved.value, 2)
    if shown >= CHART_LABEL_LIMIT:
        return "≥ " + format_id_decimal(CHART_LABEL_LIMIT)
    if shown <= -CHART_LABEL_LIMIT:
        return "≤ " + format_id_decimal(-CHART_LABEL_LIMIT)
    return achieved.display


def _spans(keys: list) -> list[int]:
    """Rowspans for merged objective cells: the first row of a run gets its length, the rest 0."""
    spans = [0] * len(keys)
    i = 0
    while i < len(keys):
        j = i
        while j < len(keys) and keys[j] == keys[i]:
            j += 1
        spans[i] = j - i
        i = j
    return spans


def measurement_table(
    measurement: Measurement,
    indicators: list[IndicatorResult] | None = None,
    programmes: list[ProgrammeResult] | None = None,
) -> MeasurementTable:
    """The table of ``measurement``; pass its rows (in sheet order) when the caller has them already."""
    bands = RatingBand.bands()
    results = indicators if indicators is not None else list(measurement.indicator_results.in_sheet_order())
    table = MeasurementTable()
    spans = _spans([(r.objective_position, r.objective_text) for r in results])
    for number, (result, span) in enumerate(zip(results, spans, strict=True), start=1):
        achieved = result.capaian
        band = rating(achieved.value, bands) if achieved.is_ok else None
        table.indicators.append(
            IndicatorRow(
                number=number,
                objective=result.objective_text,
                objective_rowspan=span,
                result=result,
                capaian=achieved,
                rating=band.label if band else "",
                target=format_in_decimals(result.target, result.decimals),
                realisation=format_in_decimals(result.realisation, result.decimals),
            )
        )
        width = min(max(achieved.value or Decimal(0), Decimal(0)), CHART_MAX) / CHART_MAX * 100
        table.bars.append(
            ChartBar(
                label=f"{number}",
                value=_chart_label(achieved),
                y=(number - 1) * 28,
                width=width.quantize(Decimal("0.01")),
                state=achieved.state,
            )
        )
    table.chart_height = len(table.bars) * 28
    table.reference_x = (Decimal(100) / CHART_MAX * 100).quantize(Decimal("0.01"))

    budgets = programmes if programmes is not None else list(measurement.programme_results.in_sheet_order())
    spans = _spans([(r.objective_position, r.objective_text) for r in budgets])
    for number, (result, span) in enumerate(zip(budgets, spans, strict=True), start=1):
        table.programmes.append(
            ProgrammeRow(
                number=number,
                objective=result.objective_text,
                objective_rowspan=span,
                result=result,
                budget=format_id_decimal(result.budget, 2),
                realised=format_id_decimal(result.realised, 2),
                absorption=result.absorption,
            )
        )
    if budgets:
        budget_total = sum((r.budget or Decimal(0) for r in budgets), Decimal(0))
        realised = [r.realised for r in budgets if r.realised is not None]
        realised_total = sum(realised, Decimal(0)) if len(realised) == len(budgets) else None
        table.budget_total = format_id_decimal(budget_total, 2)
        table.realised_total = format_id_decimal(realised_total, 2)
        table.absorption_total = absorption(budget=budget_total, realised=realised_total)
    return table


@dataclass(frozen=True)
class Change:
    name: str
    before: str
    after: str


def changes_since_return(
    measurement: Measurement,
    indicators: list[IndicatorResult] | None = None,
    snapshots: list[Snapshot] | None = None,
) -> list[Change] | None:
    """What the drafter changed between the last two versions handed on (value before → after).

    None when the draft was handed on only once: there is nothing to compare. Pass the snapshots
    (newest first) when the caller has them already.
    """
    if snapshots is None:
        snapshots = list(measurement.snapshots.order_by("-created_at", "-pk")[:2])
    snapshots = snapshots[:2]
    if len(snapshots) < 2:
        return None
    after, before = snapshots[0].data, snapshots[1].data
    rows = indicators if indicators is not None else measurement.indicator_results.in_sheet_order()
    names = {str(r.indicator_id): (r.name, r.decimals) for r in rows}
    changes = []
    for key, (name, decimals) in names.items():
        old, new = before["indicators"].get(key), after["indicators"].get(key)
        if old != new:
            changes.append(
                Change(
                    name=name,
                    before=format_in_decimals(Decimal(old), decimals) if old is not None else "—",
                    after=format_in_decimals(Decimal(new), decimals) if new is not None else "—",
                )
            )
    return changes
