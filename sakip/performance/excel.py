"""Excel: the realisation template, its upload, and the finished measurement."""

from __future__ import annotations

import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from io import BytesIO
from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sakip.lib.numbers import format_id_decimal, parse_id_decimal, round_half_up
from sakip.performance.capaian import State
from sakip.performance.models import MONEY, NUMBER, IndicatorResult, Measurement, ProgrammeResult
from sakip.performance.services import can_edit_measurement, measurement_save
from sakip.performance.tables import measurement_table
from sakip.workflow.views import get_document_for_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The sheets follow the office's form for the Pengukuran Kinerja, so their names and column headings
# are the form's own words, like the office's other texts, whatever language the page is shown in.
# The template's headings are also what an upload is checked against: a template downloaded with
# the page in English must still be accepted when uploaded with the page in Indonesian.
REALISATION_SHEET = "Realisasi"
REALISATION_HEADER = (
    "No",
    "Kode",
    "Sasaran Strategis",
    "Indikator Kinerja",
    "Satuan",
    "Target",
    "Realisasi",
    "Faktor Pendukung",
    "Faktor Penghambat",
)
BUDGET_SHEET = "Anggaran"
BUDGET_HEADER = ("No", "Kode", "Program", "Pagu", "Realisasi Anggaran")
EXPORT_SHEET = "Pengukuran Kinerja"
EXPORT_HEADER = (
    "No",
    "Sasaran Strategis",
    "Indikator Kinerja",
    "Satuan",
    "Target",
    "Realisasi",
    "% Capaian",
    "Predikat",
)
EXPORT_BUDGET_HEADER = ("No", "Program", "Pagu", "Realisasi", "% Serapan")
TOTAL_LABEL = "Jumlah"

# Row 1 names the document, row 2 says what to do, row 3 holds the headings, the data follows.
HEADER_ROW = 3
FIRST_DATA_ROW = HEADER_ROW + 1

# Column positions in the template (1-based, as openpyxl counts).
KODE, REALISATION, HELPED, HELD_BACK = 2, 7, 8, 9
BUDGET_KODE, BUDGET_REALISED = 2, 5

# "#,##0.####" would leave a dangling decimal separator on whole numbers ("1.160,"), so a whole
# number gets "#,##0" and one with decimals shows them all (at most 4, as stored).
WHOLE_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0###"
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "#,##0.00"

# Limits for what an upload may be: a filled template is a few kilobytes.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What the archive may unpack to. zipfile stops at each member's declared size (and fails its
# checksum if the size lied), so summing the declared sizes bounds the memory a zip bomb can take.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_DATA_ROWS = 5000
MAX_MESSAGES = 50
# Excel computes with 15 significant digits; a cell's binary double is read back to that many,
# so a cell showing 0,3 is 0,3 and not 0,30000000000000004.
EXCEL_DIGITS = 15


# ---------------------------------------------------------------------------------------------
# Access


def _measurement_for(request: HttpRequest, pk: int, *, edit: bool) -> Measurement:
    """404 when the person may not see the document; 403 when ``edit`` and they may not change it now."""
    document = get_document_for_user(request, pk)
    measurement = get_object_or_404(Measurement.objects.select_related("agreement"), document=document)
    measurement.document = document
    if edit and not can_edit_measurement(document, request.user):
        raise PermissionDenied(_("The measurement cannot be changed at this step."))
    return measurement


def _indicator_results(measurement: Measurement) -> list[IndicatorResult]:
    return list(
        measurement.indicator_results.select_related("indicator__objective").order_by(
            "indicator__objective__position", "indicator__objective_id", "indicator__position", "pk"
        )
    )


def _programme_results(measurement: Measurement) -> list[ProgrammeResult]:
    return list(
        measurement.programme_results.select_related("programme__objective").order_by(
            "programme__objective__position", "programme__objective_id", "programme__position", "pk"
        )
    )


# ---------------------------------------------------------------------------------------------
# Writing


def _clean_text(text: str) -> str:
    # Control characters pasted from other programs are not allowed in the file format.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _number_format(value: Decimal) -> str:
    return WHOLE_FORMAT if value == value.to_integral_value() else DECIMAL_FORMAT


def _strip_zeros(value: Decimal) -> Decimal:
    """1234.5000 → 1234.5, exactly (normalize() would round to the context's precision)."""
    sign, digits, exponent = value.as_tuple()
    digits = list(digits)
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exponent += 1
    return Decimal((sign, tuple(digits), exponent))


def _put(ws: Worksheet, row: int, column: int, value, number_format: str | None = None):
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _clean_text(value)
        # openpyxl takes a text starting with "=" for a formula: an indicator named "=…" stays text.
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell.value = _strip_zeros(value)
        cell.number_format = number_format or _number_format(value)
    elif value is not None:
        cell.value = value
    if number_format and value is None:
        cell.number_format = number_format
    cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
    return cell


def _start_sheet(ws: Worksheet, *, title: str, subtitle: str, header: Sequence[str], widths: Sequence[int]) -> None:
    _put(ws, 1, 1, title).font = Font(bold=True, size=13)
    _put(ws, 2, 1, subtitle).alignment = Alignment(wrap_text=False)
    for column, (heading, width) in enumerate(zip(header, widths, strict=True), start=1):
        cell = _put(ws, HEADER_ROW, column, heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)


def _xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def build_template(measurement: Measurement) -> Workbook:
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
    for number, result in enumerate(_indicator_results(measurement), start=1):
        row = FIRST_DATA_ROW + number - 1
        indicator = result.indicator
        _put(ws, row, 1, number)
        _put(ws, row, KODE, indicator.pk)
        _put(ws, row, 3, indicator.objective.text)
        _put(ws, row, 4, indicator.name)
        _put(ws, row, 5, indicator.unit)
        _put(ws, row, 6, indicator.target)
        # An empty entry cell keeps Excel's "General": it shows whatever is typed, whole or not.
        _put(ws, row, REALISATION, result.realisation)
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
    for number, result in enumerate(_programme_results(measurement), start=1):
        row = FIRST_DATA_ROW + number - 1
        _put(budget, row, 1, number)
        _put(budget, row, BUDGET_KODE, result.programme.pk)
        _put(budget, row, 3, result.programme.name)
        _put(budget, row, 4, result.programme.budget, MONEY_FORMAT)
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
        indicator = item.result.indicator
        _put(ws, row, 1, item.number)
        if item.objective_rowspan:
            _put(ws, row, 2, item.objective)
            if item.objective_rowspan > 1:
                ws.merge_cells(start_row=row, start_column=2, end_row=row + item.objective_rowspan - 1, end_column=2)
        _put(ws, row, 3, indicator.name)
        _put(ws, row, 4, indicator.unit)
        _put(ws, row, 5, indicator.target)
        _put(ws, row, 6, item.result.realisation)
        if item.capaian.is_ok:
            _put(ws, row, 7, round_half_up(item.capaian.value, 2), PERCENT_FORMAT)
        else:
            _put(ws, row, 7, str(State(item.capaian.state).label))
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
        _put(budget, row, 2, item.result.programme.name)
        _put(budget, row, 3, item.result.programme.budget, MONEY_FORMAT)
        _put(budget, row, 4, item.result.realised, MONEY_FORMAT)
        _put_percent(budget, row, 5, item.absorption)
        row += 1
    if table.programmes:
        # The same totals as the page: realised only when every programme has its realisation.
        budgets = [item.result.programme.budget for item in table.programmes]
        realised = [item.result.realised for item in table.programmes if item.result.realised is not None]
        _put(budget, row, 2, TOTAL_LABEL).font = Font(bold=True)
        _put(budget, row, 3, sum(budgets, Decimal(0)), MONEY_FORMAT).font = Font(bold=True)
        if len(realised) == len(budgets):
            _put(budget, row, 4, sum(realised, Decimal(0)), MONEY_FORMAT).font = Font(bold=True)
        if table.absorption_total is not None and table.absorption_total.is_ok:  # blank otherwise, as on the page
            _put(budget, row, 5, round_half_up(table.absorption_total.value, 2), PERCENT_FORMAT).font = Font(bold=True)
    return workbook


def _put_percent(ws: Worksheet, row: int, column: int, result) -> None:
    if result.is_ok:
        _put(ws, row, column, round_half_up(result.value, 2), PERCENT_FORMAT)
    else:
        _put(ws, row, column, str(State(result.state).label))


# ---------------------------------------------------------------------------------------------
# Reading


class FileRefused(Exception):
    """The upload cannot be read at all; the message says why."""


@dataclass
class Sheet:
    name: str
    holds: str  # "indicator" or "programme": what a row stands for
    header: tuple[str, ...]
    kode: int
    number_column: int
    max_digits: int
    decimal_places: int


REALISATION_SPEC = Sheet(REALISATION_SHEET, "indicator", REALISATION_HEADER, KODE, REALISATION, **NUMBER)
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


def _shown(value, limit: int = 40) -> str:
    text = str(value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_decimal(value) -> Decimal | None:
    """The number in a cell; None when it is empty. ValueError for anything else, a date included."""
    if _is_blank(value):
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
            return _strip_zeros(+Decimal(value))  # unary plus rounds to the context's precision
    if isinstance(value, str):
        return _strip_zeros(parse_id_decimal(value))  # NumberFormatError is a ValueError
    raise ValueError(value)


def _size_problem(value: Decimal, column: str, max_digits: int, decimal_places: int) -> str | None:
    _sign, digits, exponent = value.as_tuple()
    decimals = max(0, -exponent)
    whole = len(digits) + exponent if exponent >= 0 else max(0, len(digits) - decimals)
    if whole > max_digits - decimal_places:
        return _("%(column)s %(value)s is too large.") % {"column": column, "value": _shown(format_id_decimal(value))}
    if decimals > decimal_places:
        return _("%(column)s %(value)s has more than %(places)s decimals.") % {
            "column": column,
            "value": _shown(format_id_decimal(value)),
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


def _not_a_workbook() -> str:
    return _("The file is not an Excel workbook (.xlsx). Upload the template downloaded from this page.")


def _open_workbook(upload: UploadedFile | None):
    if upload is None:
        raise FileRefused(_("Choose the filled-in Excel template to upload."))
    if upload.size == 0:
        raise FileRefused(_("The file is empty."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise FileRefused(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
        )
    not_a_workbook = _not_a_workbook()
    if PurePath(upload.name or "").suffix.lower() != ".xlsx" or not zipfile.is_zipfile(upload):
        raise FileRefused(not_a_workbook)
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(not_a_workbook) from None
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise FileRefused(
            _("The file unpacks to more than %(limit)s and cannot be read.")
            % {"limit": filesizeformat(MAX_UNPACKED_BYTES)}
        )
    upload.seek(0)
    try:
        return load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl answers a malformed file with any of a dozen exception types
        raise FileRefused(not_a_workbook) from None


def _rows(workbook, spec: Sheet, reading: Reading) -> list[tuple[int, tuple]] | None:
    """The sheet's non-empty data rows with their row numbers; None (and a problem) when it cannot be read."""
    if spec.name not in workbook.sheetnames:
        reading.problems.append(_("The workbook has no sheet named %(sheet)s.") % {"sheet": spec.name})
        return None
    ws = workbook[spec.name]
    # One row past the limit, to tell a sheet that is too long from one that just fits.
    last = HEADER_ROW + MAX_DATA_ROWS + 1
    try:
        # Read-only mode parses the sheet only now, so a malformed one fails here. Reading it whole is
        # safe: at most ``last`` rows of as many cells as the header has.
        rows = iter(list(ws.iter_rows(min_row=HEADER_ROW, max_row=last, max_col=len(spec.header), values_only=True)))
    except Exception:  # as in _open_workbook: any of openpyxl's and the XML parser's exception types
        raise FileRefused(_not_a_workbook()) from None
    header = next(rows, ())
    found = tuple(_to_text(v).casefold() for v in header)
    if found != tuple(h.casefold() for h in spec.header):
        reading.refuse(
            spec.name, HEADER_ROW, _("the headings must read: %(expected)s") % {"expected": " | ".join(spec.header)}
        )
        return None
    data = []
    for number, values in enumerate(rows, start=FIRST_DATA_ROW):
        if all(_is_blank(v) for v in values):
            continue
        if number == last:
            reading.problems.append(
                _("The sheet %(sheet)s has more than %(count)s rows.") % {"sheet": spec.name, "count": MAX_DATA_ROWS}
            )
            return None
        data.append((number, values))
    return data


def _read_numbers(workbook, spec: Sheet, keys: dict[int, str], allows_negative, reading: Reading):
    """Yield (row, code, number, values) for each good row of ``spec``; record every problem in ``reading``.

    ``keys`` maps each Kode of the measurement to its name, for the "missing" message.
    """
    rows = _rows(workbook, spec, reading)
    if rows is None:
        return
    column = spec.header[spec.number_column - 1]
    first_seen: dict[int, int] = {}
    for number, values in rows:
        raw_code = values[spec.kode - 1]
        code = _to_code(raw_code)
        if _is_blank(raw_code):
            reading.refuse(spec.name, number, _("Kode is empty."))
            continue
        if code is None or code not in keys:
            reading.refuse(
                spec.name, number, _("Kode %(code)s is not part of this measurement.") % {"code": _shown(raw_code)}
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
        raw = values[spec.number_column - 1]
        try:
            value = _to_decimal(raw)
        except ValueError:
            reading.refuse(
                spec.name,
                number,
                _("%(column)s '%(value)s' is not a number.") % {"column": column, "value": _shown(raw)},
            )
            continue
        if value is not None:
            problem = _size_problem(value, column, spec.max_digits, spec.decimal_places)
            if problem is None and value < 0 and not allows_negative(code):
                problem = _("%(column)s cannot be negative here.") % {"column": column}
            if problem:
                reading.refuse(spec.name, number, problem)
                continue
        yield number, code, value, values
    for code, name in keys.items():
        if code not in first_seen:
            if spec.holds == "indicator":
                missing = _("Sheet %(sheet)s: the indicator with Kode %(code)s (%(name)s) is missing from the file.")
            else:
                missing = _("Sheet %(sheet)s: the programme with Kode %(code)s (%(name)s) is missing from the file.")
            reading.problems.append(missing % {"sheet": spec.name, "code": code, "name": _shown(name, 60)})


def read_upload(workbook, measurement: Measurement) -> Reading:
    reading = Reading()
    results = {r.indicator_id: r for r in _indicator_results(measurement)}
    names = {code: r.indicator.name for code, r in results.items()}
    negative = {code: r.indicator.allow_negative for code, r in results.items()}
    for _number, code, value, values in _read_numbers(workbook, REALISATION_SPEC, names, negative.__getitem__, reading):
        reading.indicators[results[code].pk] = {
            "realisation": value,
            "helped": _to_text(values[HELPED - 1]),
            "held_back": _to_text(values[HELD_BACK - 1]),
        }
    budgets = {r.programme_id: r for r in _programme_results(measurement)}
    # A measurement without programmes does not need the budget sheet.
    if budgets or BUDGET_SHEET in workbook.sheetnames:
        programme_names = {code: r.programme.name for code, r in budgets.items()}
        for _number, code, value, _values in _read_numbers(
            workbook, BUDGET_SPEC, programme_names, lambda code: False, reading
        ):
            reading.programmes[budgets[code].pk] = value
    return reading


# ---------------------------------------------------------------------------------------------
# Views


@require_safe
def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement_for(request, pk, edit=True)
    filename = f"realisasi-{measurement.document.pk}-{measurement.agreement.year}.xlsx"
    return _xlsx_response(build_template(measurement), filename)


@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement_for(request, pk, edit=True)
    document = measurement.document
    uploaded = request.FILES.get("file")
    try:
        workbook = _open_workbook(uploaded)
    except FileRefused as exc:
        messages.error(request, str(exc))
        return redirect(document)
    try:
        reading = read_upload(workbook, measurement)
    except FileRefused as exc:
        messages.error(request, str(exc))
        return redirect(document)
    finally:
        workbook.close()  # read-only mode keeps the archive open
    if reading.problems:
        _report_problems(request, reading.problems)
        return redirect(document)
    try:
        measurement_save(
            measurement=measurement, by=request.user, indicators=reading.indicators, programmes=reading.programmes
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("The realisation from %(name)s was saved.") % {"name": uploaded.name})
    return redirect(document)


def _report_problems(request: HttpRequest, problems: list[str]) -> None:
    # Messages are escaped, so a list in one message would show its tags: one message per problem.
    count = len(problems)
    messages.error(
        request,
        ngettext(
            "Nothing was saved: the file has %(count)s problem.",
            "Nothing was saved: the file has %(count)s problems.",
            count,
        )
        % {"count": count},
    )
    for problem in problems[:MAX_MESSAGES]:
        messages.error(request, problem)
    rest = count - MAX_MESSAGES
    if rest > 0:
        messages.error(
            request, ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", rest) % {"count": rest}
        )


@require_safe
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement_for(request, pk, edit=False)
    filename = f"pengukuran-kinerja-{measurement.document.pk}-{measurement.agreement.year}.xlsx"
    return _xlsx_response(build_export(measurement), filename)
