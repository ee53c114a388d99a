"""Reading an uploaded realisation workbook: every row checked against the measurement.

The file is opened by xlsx.py, in bounded memory whatever it holds. Here its rows are matched to
the measurement by Kode and checked cell by cell; every problem found is listed by sheet and row,
and nothing is saved unless there is none (the view saves, all at once).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from django.utils.translation import gettext as _

from sakip.lib.numbers import format_id_decimal, parse_id_decimal, strip_zeros
from sakip.performance.excel.layout import (
    BUDGET_HEADER,
    BUDGET_KODE,
    BUDGET_REALISED,
    BUDGET_SHEET,
    EXCEL_DIGITS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HELD_BACK,
    HELPED,
    KODE,
    MAX_DATA_ROWS,
    REALISATION,
    REALISATION_HEADER,
    REALISATION_SHEET,
    TEXT_MAX_LENGTH,
)
from sakip.performance.excel.xlsx import UNCOMPUTED, UploadedWorkbook, grouped, is_blank, shown
from sakip.performance.models import MONEY, NUMBER, Measurement, decimals_problem

# ---------------------------------------------------------------------------------------------
# The rows, checked against the measurement


@dataclass
class Sheet:
    name: str
    holds: str  # "indicator" or "programme": what a row stands for
    header: tuple[str, ...]
    kode: int
    number_column: int
    max_digits: int
    decimal_places: int
    text_columns: tuple[int, ...] = ()

    @property
    def reads(self) -> frozenset[int]:
        """The columns whose values are used: a formula there must have its value."""
        return frozenset((self.kode, self.number_column, *self.text_columns))


REALISATION_SPEC = Sheet(
    REALISATION_SHEET,
    "indicator",
    REALISATION_HEADER,
    KODE,
    REALISATION,
    **NUMBER,
    text_columns=(HELPED, HELD_BACK),
)
BUDGET_SPEC = Sheet(BUDGET_SHEET, "programme", BUDGET_HEADER, BUDGET_KODE, BUDGET_REALISED, **MONEY)


@dataclass
class Reading:
    """What an uploaded workbook says, or every problem found in it."""

    problems: list[str] = field(default_factory=list)
    indicators: dict[int, dict] = field(default_factory=dict)  # IndicatorResult pk → values
    programmes: dict[int, Decimal | None] = field(default_factory=dict)  # ProgrammeResult pk → realised

    def refuse(self, sheet: str, row: int, problem: str) -> None:
        self.problems.append(
            _("Sheet %(sheet)s, row %(row)s: %(problem)s") % {"sheet": sheet, "row": row, "problem": problem}
        )


def _to_decimal(value) -> Decimal | None:
    """The number in a cell; None when it is empty. ValueError for anything else, a date included."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float) and value == 0:
        return Decimal(0)  # not "-0"
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(value)
        with localcontext() as context:
            context.prec = EXCEL_DIGITS
            return strip_zeros(+Decimal(value))  # unary plus rounds to the context's precision
    if isinstance(value, str):
        return strip_zeros(parse_id_decimal(value))  # NumberFormatError is a ValueError
    raise ValueError(value)


def _size_problem(value: Decimal, column: str, max_digits: int, decimal_places: int) -> str | None:
    _sign, digits, exponent = value.as_tuple()
    decimals = max(0, -exponent)
    whole = len(digits) + exponent if exponent >= 0 else max(0, len(digits) - decimals)
    if whole > max_digits - decimal_places:
        return _("%(column)s %(value)s is too large.") % {"column": column, "value": shown(format_id_decimal(value))}
    if decimals > decimal_places:
        return _("%(column)s %(value)s has more than %(places)s decimals.") % {
            "column": column,
            "value": shown(format_id_decimal(value)),
            "places": decimal_places,
        }
    return None


def _to_code(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= 18:  # int() refuses thousands of digits
        return int(text)
    return None


def _to_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _uncomputed(column: str) -> str:
    return _(
        "the cell %(column)s holds a formula without a computed value; open the file in Excel, save it, "
        "and upload it again."
    ) % {"column": column}


def _rows(workbook: UploadedWorkbook, spec: Sheet, reading: Reading) -> list[tuple[int, list]] | None:
    """The sheet's non-empty data rows with their row numbers; None (and a problem) when it cannot be read."""
    if spec.name not in workbook.sheetnames:
        reading.problems.append(_("The workbook has no sheet named %(sheet)s.") % {"sheet": spec.name})
        return None
    found = workbook.rows(spec.name, width=len(spec.header), formula_columns=spec.reads)
    header = found.rows.get(HEADER_ROW, [None] * len(spec.header))
    if tuple(_to_text(v).casefold() for v in header) != tuple(h.casefold() for h in spec.header):
        reading.refuse(
            spec.name, HEADER_ROW, _("the headings must read: %(expected)s") % {"expected": " | ".join(spec.header)}
        )
        return None
    last = HEADER_ROW + MAX_DATA_ROWS + 1
    data = [(n, values) for n, values in sorted(found.rows.items()) if n >= FIRST_DATA_ROW and not _blank_row(values)]
    if found.overflow or (data and data[-1][0] >= last):
        reading.problems.append(
            _("The sheet %(sheet)s has more than %(count)s rows.") % {"sheet": spec.name, "count": MAX_DATA_ROWS}
        )
        return None
    return data


def _blank_row(values: list) -> bool:
    return all(is_blank(v) for v in values)


def _read_numbers(
    workbook: UploadedWorkbook,
    spec: Sheet,
    keys: dict[int, str],
    allows_negative,
    reading: Reading,
    decimals_of: Callable[[int], tuple[int, str]] | None = None,
) -> Iterator[tuple[int, int, Decimal | None, dict[int, str]]]:
    """Yield (row, code, number, texts) for each good row of ``spec``; record every problem in ``reading``.

    ``keys`` maps each Kode of the measurement to its name, for the "missing" message; ``texts`` maps
    each text column of the sheet to its stripped text. ``decimals_of`` gives the decimals a Kode's
    values take and their unit, where a row stands for an indicator.
    """
    rows = _rows(workbook, spec, reading)
    if rows is None:
        return
    column = spec.header[spec.number_column - 1]
    first_seen: dict[int, int] = {}
    for number, values in rows:
        raw_code = values[spec.kode - 1]
        if raw_code is UNCOMPUTED:
            reading.refuse(spec.name, number, _uncomputed(spec.header[spec.kode - 1]))
            continue
        code = _to_code(raw_code)
        if is_blank(raw_code):
            reading.refuse(spec.name, number, _("Kode is empty."))
            continue
        if code is None or code not in keys:
            reading.refuse(
                spec.name, number, _("Kode %(code)s is not part of this measurement.") % {"code": shown(raw_code)}
            )
            continue
        if code in first_seen:
            reading.refuse(
                spec.name,
                number,
                _("Kode %(code)s appears twice (first in row %(first)s).") % {"code": code, "first": first_seen[code]},
            )
            continue
        first_seen[code] = number
        problems = []
        raw = values[spec.number_column - 1]
        value = None
        if raw is UNCOMPUTED:
            problems.append(_uncomputed(column))
        else:
            try:
                value = _to_decimal(raw)
            except ValueError:
                problems.append(_("%(column)s '%(value)s' is not a number.") % {"column": column, "value": shown(raw)})
            else:
                if value is not None:
                    problem = _size_problem(value, column, spec.max_digits, spec.decimal_places)
                    if problem is None and value < 0 and not allows_negative(code):
                        problem = _("%(column)s cannot be negative here.") % {"column": column}
                    if problem is None and decimals_of is not None:
                        decimals, unit = decimals_of(code)
                        typed = raw if isinstance(raw, str) else ""
                        if reason := decimals_problem(value, decimals, unit, typed):
                            # A number cell shows as Excel stored it; the value in the Indonesian way beside it.
                            problem = _("%(column)s %(value)s: %(problem)s") % {
                                "column": column,
                                "value": shown(typed or format_id_decimal(value)),
                                "problem": reason,
                            }
                    if problem:
                        problems.append(problem)
        texts = {}
        for text_column in spec.text_columns:
            heading = spec.header[text_column - 1]
            raw_text = values[text_column - 1]
            if raw_text is UNCOMPUTED:
                problems.append(_uncomputed(heading))
                continue
            texts[text_column] = _to_text(raw_text)
            if len(texts[text_column]) > TEXT_MAX_LENGTH:
                problems.append(
                    _("%(column)s has %(length)s characters; at most %(limit)s are allowed.")
                    % {
                        "column": heading,
                        "length": grouped(len(texts[text_column])),
                        "limit": grouped(TEXT_MAX_LENGTH),
                    }
                )
        for problem in problems:
            reading.refuse(spec.name, number, problem)
        if not problems:
            yield number, code, value, texts
    for code, name in keys.items():
        if code not in first_seen:
            if spec.holds == "indicator":
                missing = _("Sheet %(sheet)s: the indicator with Kode %(code)s (%(name)s) is missing from the file.")
            else:
                missing = _("Sheet %(sheet)s: the programme with Kode %(code)s (%(name)s) is missing from the file.")
            reading.problems.append(missing % {"sheet": spec.name, "code": code, "name": shown(name, 60)})


def read_upload(workbook: UploadedWorkbook, measurement: Measurement) -> Reading:
    """Every row of the workbook checked against ``measurement``: the values to save, or every problem.

    Rows are matched by Kode, the agreement's indicator (programme); what a row is judged against
    (its name, whether it may be negative) is the measurement's own copy.
    """
    reading = Reading()
    results = {r.indicator_id: r for r in measurement.indicator_results.in_sheet_order()}
    names = {code: r.name for code, r in results.items()}
    negative = {code: r.allow_negative for code, r in results.items()}
    decimals = {code: (r.decimals, r.unit) for code, r in results.items()}
    for _number, code, value, texts in _read_numbers(
        workbook, REALISATION_SPEC, names, negative.__getitem__, reading, decimals.__getitem__
    ):
        reading.indicators[results[code].pk] = {
            "realisation": value,
            "helped": texts[HELPED],
            "held_back": texts[HELD_BACK],
        }
    budgets = {r.programme_id: r for r in measurement.programme_results.in_sheet_order()}
    # A measurement without programmes does not need the budget sheet.
    if budgets or BUDGET_SHEET in workbook.sheetnames:
        programme_names = {code: r.name for code, r in budgets.items()}
        for _number, code, value, _texts in _read_numbers(
            workbook, BUDGET_SPEC, programme_names, lambda code: False, reading
        ):
            reading.programmes[budgets[code].pk] = value
    return reading
