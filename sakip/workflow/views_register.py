"""The signer's preview of the PDF, and the register (buku agenda) of numbered documents per year."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from sakip.workflow.models import Distribution, Document, RegisterEntry
from sakip.workflow.services import preview_pdf, signature_preview
from sakip.workflow.views import get_document_for_user


@require_safe
def signing_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The exact PDF the signer would sign now, marked as a preview; only for whoever may sign it now."""
    document = get_document_for_user(request, pk)
    signature = signature_preview(document, request.user)
    if signature is None:
        raise Http404(_("There is nothing for you to sign on this document now."))
    data = preview_pdf(document, signature)
    if data is None:
        raise Http404(_("This document has no printed form to preview."))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pratinjau-{document.pk}.pdf"'
    # The preview changes with the content and the signer's profile: never kept by a browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


def register_entries(user, year: int):
    """The year's register as ``user`` may see it: the numbered documents of the SOPs they see, in order."""
    return (
        RegisterEntry.objects.filter(year=year, document__in=Document.objects.visible_to(user).values("pk"))
        .select_related("document__signature")
        .prefetch_related(Prefetch("document__distributions", Distribution.objects.order_by("distributed_on", "pk")))
        .order_by("sequence")
    )


def register_years(user) -> list[int]:
    years = RegisterEntry.objects.filter(document__in=Document.objects.visible_to(user).values("pk"))
    return sorted(set(years.values_list("year", flat=True)), reverse=True)


@require_safe
def register_current(request: HttpRequest) -> HttpResponse:
    return redirect("workflow:register", year=timezone.localdate().year)


@require_safe
def register_year(request: HttpRequest, year: int) -> HttpResponse:
    if not 2000 <= year <= 2100:
        raise Http404
    years = register_years(request.user)
    if year not in years:
        years = sorted([*years, year], reverse=True)
    context = {"year": year, "entries": register_entries(request.user, year), "years": years}
    return render(request, "workflow/register.html", context)


REGISTER_HEADER = (
    "No.",
    "Nomor naskah",
    "Tanggal",
    "Judul",
    "Penanda tangan",
    "Penerima",
    "Jumlah salinan",
    "Tanggal distribusi",
)


@require_safe
def register_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    """The year's register as the page shows it, as a spreadsheet (written with the project's own xlsx helpers)."""
    from sakip.performance.excel.layout import FIRST_DATA_ROW
    from sakip.performance.excel.writing import _put, _start_sheet, xlsx_response

    if not 2000 <= year <= 2100:
        raise Http404
    workbook = Workbook()
    ws = workbook.active
    ws.title = f"Register {year}"
    _start_sheet(
        ws,
        title=f"Buku Agenda {year}",
        subtitle=f"Dokumen bernomor tahun {year}",  # the office's paper, in its language, like the header
        header=REGISTER_HEADER,
        widths=(6, 28, 12, 45, 35, 40, 10, 14),
    )
    for offset, entry in enumerate(register_entries(request.user, year)):
        row = FIRST_DATA_ROW + offset
        document = entry.document
        signature = document.signed
        distributions = list(document.distributions.all())
        _put(ws, row, 1, entry.sequence)
        _put(ws, row, 2, entry.number)
        _put(ws, row, 3, timezone.localtime(entry.registered_at).date(), "DD/MM/YYYY")
        _put(ws, row, 4, document.title)
        if signature is not None:
            _put(ws, row, 5, ", ".join(filter(None, [signature.name, signature.on_behalf_of, signature.full_jabatan])))
        if distributions:
            _put(ws, row, 6, "\n\n".join(d.recipients for d in distributions))
            _put(ws, row, 7, sum(d.copies for d in distributions))
            _put(ws, row, 8, distributions[-1].distributed_on, "DD/MM/YYYY")
    return xlsx_response(workbook, f"buku-agenda-{year}.xlsx")
