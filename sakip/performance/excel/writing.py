"""The spreadsheets sakip writes: the realisation template to fill in, and the finished measurement."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sakip.lib.numbers import decimal_places, round_half_up, strip_zeros
from sakip.performance.capaian import State
from sakip.performance.excel.layout import (
    BUDGET_HEADER,
    BUDGET_KODE,
    BUDGET_REALISED,
    BUDGET_SHEET,
    DECIMAL_FORMAT,
    EXPORT_BUDGET_HEADER,
    EXPORT_HEADER,
    EXPORT_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HELD_BACK,
    HELPED,
    KODE,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    REALISATION,
    REALISATION_HEADER,
    REALISATION_SHEET,
    TOTAL_LABEL,
    WHOLE_FORMAT,
    XLSX,
)
from sakip.performance.models import Measurement
from sakip.performance.tables import measurement_table


def _clean_text(text: str) -> str:
    # Control characters pasted from other programs are not allowed in the file format.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _number_format(value: Decimal) -> str:
    return WHOLE_FORMAT if value == value.to_integral_value() else DECIMAL_FORMAT


def _in_decimals(value: Decimal | None, decimals: int) -> str | None:
    """The cell format that shows an indicator's value with its decimals (never fewer than it holds); None
    for an empty cell, which keeps Excel's "General"."""
    if value is None:
        return None
    places = max(decimals, decimal_places(value))
    return WHOLE_FORMAT if places == 0 else "#,##0." + "0" * places


def _put(ws: Worksheet, row: int, column: int, value, number_format: str | None = None):
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _clean_text(value)
        # openpyxl takes a text starting with "=" for a formula: an indicator named "=…" stays text.
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell.value = strip_zeros(value)
        cell.number_format = number_format or _number_format(value)
    elif value is not None:
        cell.value = value
    if number_format and value is None:
        cell.number_format = number_format
    cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
    return cell


def _put_percent(ws: Worksheet, row: int, column: int, result) -> None:
    if result.is_ok:
        _put(ws, row, column, round_half_up(result.value, 2), PERCENT_FORMAT)
    else:
        _put(ws, row, column, str(State(result.state).label))


def _start_sheet(ws: Worksheet, *, title: str, subtitle: str, header: Sequence[str], widths: Sequence[int]) -> None:
    _put(ws, 1, 1, title).font = Font(bold=True, size=13)
    _put(ws, 2, 1, subtitle).alignment = Alignment(wrap_text=False)
    for column, (heading, width) in enumerate(zip(header, widths, strict=True), start=1):
        cell = _put(ws, HEADER_ROW, column, heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)


def xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def build_template(measurement: Measurement) -> Workbook:
    """One row per indicator and per programme, with the measurement's own copy of what each is judged against.

    Kode is the agreement's indicator (programme): what the upload matches rows by.
    """
    document = measurement.document
    workbook = Workbook()
    ws = workbook.active
    ws.title = REALISATION_SHEET
    _start_sheet(
        ws,
        title=document.title,
        subtitle=_(
            "Fill in the column Realisasi (and Realisasi Anggaran on the sheet Anggaran), then upload this file "
            "on the document page. Do not change the column Kode."
        ),
        header=REALISATION_HEADER,
        widths=(5, 8, 40, 45, 12, 14, 14, 35, 35),
    )
    for number, result in enumerate(measurement.indicator_results.in_sheet_order(), start=1):
        row = FIRST_DATA_ROW + number - 1
        _put(ws, row, 1, number)
        _put(ws, row, KODE, result.indicator_id)
        _put(ws, row, 3, result.objective_text)
        _put(ws, row, 4, result.name)
        _put(ws, row, 5, result.unit)
        _put(ws, row, 6, result.target, _in_decimals(result.target, result.decimals))
        # An empty entry cell keeps Excel's "General": it shows whatever is typed, whole or not.
        _put(ws, row, REALISATION, result.realisation, _in_decimals(result.realisation, result.decimals))
        _put(ws, row, HELPED, result.helped)
        _put(ws, row, HELD_BACK, result.held_back)

    budget = workbook.create_sheet(BUDGET_SHEET)
    _start_sheet(
        budget,
        title=document.title,
        subtitle=_("Budget ceiling (pagu) and budget realised per programme, in rupiah."),
        header=BUDGET_HEADER,
        widths=(5, 8, 50, 20, 20),
    )
    for number, result in enumerate(measurement.programme_results.in_sheet_order(), start=1):
        row = FIRST_DATA_ROW + number - 1
        _put(budget, row, 1, number)
        _put(budget, row, BUDGET_KODE, result.programme_id)
        _put(budget, row, 3, result.name)
        _put(budget, row, 4, result.budget, MONEY_FORMAT)
        _put(budget, row, BUDGET_REALISED, result.realised, MONEY_FORMAT)
    return workbook


def build_export(measurement: Measurement) -> Workbook:
    """The measurement as the page shows it: the values come from measurement_table, so the two agree."""
    document = measurement.document
    table = measurement_table(measurement)
    workbook = Workbook()
    ws = workbook.active
    ws.title = EXPORT_SHEET
    _start_sheet(
        ws,
        title=document.title,
        subtitle=f"{measurement.agreement.instansi} — {measurement.agreement.year}",
        header=EXPORT_HEADER,
        widths=(5, 40, 45, 12, 14, 14, 12, 16),
    )
    for offset, item in enumerate(table.indicators):
        row = FIRST_DATA_ROW + offset
        _put(ws, row, 1, item.number)
        if item.objective_rowspan:
            _put(ws, row, 2, item.objective)
            if item.objective_rowspan > 1:
                ws.merge_cells(start_row=row, start_column=2, end_row=row + item.objective_rowspan - 1, end_column=2)
        _put(ws, row, 3, item.result.name)
        _put(ws, row, 4, item.result.unit)
        _put(ws, row, 5, item.result.target, _in_decimals(item.result.target, item.result.decimals))
        _put(ws, row, 6, item.result.realisation, _in_decimals(item.result.realisation, item.result.decimals))
        _put_percent(ws, row, 7, item.capaian)
        _put(ws, row, 8, item.rating)

    budget = workbook.create_sheet(BUDGET_SHEET)
    _start_sheet(
        budget,
        title=document.title,
        subtitle=f"{measurement.agreement.instansi} — {measurement.agreement.year}",
        header=EXPORT_BUDGET_HEADER,
        widths=(5, 50, 20, 20, 12),
    )
    row = FIRST_DATA_ROW
    for item in table.programmes:
        _put(budget, row, 1, item.number)
        _put(budget, row, 2, item.result.name)
        _put(budget, row, 3, item.result.budget, MONEY_FORMAT)
        _put(budget, row, 4, item.result.realised, MONEY_FORMAT)
        _put_percent(budget, row, 5, item.absorption)
        row += 1
    if table.programmes:
        # The same totals as the page: realised only when every programme has its realisation.
        budgets = [item.result.budget or Decimal(0) for item in table.programmes]
        realised = [item.result.realised for item in table.programmes if item.result.realised is not None]
        _put(budget, row, 2, TOTAL_LABEL).font = Font(bold=True)
        _put(budget, row, 3, sum(budgets, Decimal(0)), MONEY_FORMAT).font = Font(bold=True)
        if len(realised) == len(budgets):
            _put(budget, row, 4, sum(realised, Decimal(0)), MONEY_FORMAT).font = Font(bold=True)
        if table.absorption_total is not None and table.absorption_total.is_ok:  # blank otherwise, as on the page
            _put(budget, row, 5, round_half_up(table.absorption_total.value, 2), PERCENT_FORMAT).font = Font(bold=True)
    return workbook
