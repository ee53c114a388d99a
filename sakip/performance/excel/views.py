"""Pages of the Excel files: the template to fill in, its upload, and the measurement as a spreadsheet."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from sakip.performance.excel.layout import MAX_MESSAGES
from sakip.performance.excel.reading import read_upload
from sakip.performance.excel.writing import build_export, build_template, xlsx_response
from sakip.performance.excel.xlsx import FileRefused, open_upload
from sakip.performance.models import Measurement
from sakip.performance.services import can_edit_measurement, measurement_save
from sakip.workflow.forms import posted_version
from sakip.workflow.services import DocumentMovedOn
from sakip.workflow.views import get_document_for_user


def _measurement_for(request: HttpRequest, pk: int, *, edit: bool) -> Measurement:
    """404 when the person may not see the document; 403 when ``edit`` and they may not change it now."""
    document = get_document_for_user(request, pk)
    measurement = get_object_or_404(Measurement.objects.select_related("agreement"), document=document)
    measurement.document = document
    if edit and not can_edit_measurement(document, request.user):
        raise PermissionDenied(_("The measurement cannot be changed at this step."))
    return measurement


@require_safe
def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement_for(request, pk, edit=True)
    filename = f"realisasi-{measurement.document.pk}-{measurement.agreement.year}.xlsx"
    return xlsx_response(build_template(measurement), filename)


@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement_for(request, pk, edit=True)
    document = measurement.document
    version = posted_version(request)
    if version is None:
        # A form without the version it was read at (an old page): it cannot tell whether it is stale.
        messages.warning(request, str(DocumentMovedOn()))
        return redirect(document)
    uploaded = request.FILES.get("file")
    try:
        with open_upload(uploaded) as workbook:
            reading = read_upload(workbook, measurement)
    except FileRefused as exc:
        messages.error(request, str(exc))
        return redirect(document)
    if reading.problems:
        _report_problems(request, reading.problems)
        return redirect(document)
    try:
        measurement_save(
            measurement=measurement,
            by=request.user,
            version=version,
            indicators=reading.indicators,
            programmes=reading.programmes,
            source=uploaded.name,
        )
    except DocumentMovedOn as exc:
        # Someone saved or moved the document after this page was read: their work stays.
        messages.warning(request, str(exc))
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
    return xlsx_response(build_export(measurement), filename)
