"""Pages that show SOPs to logged-in staff: the list and the official sheet, on screen and as PDF."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from sakip.lib.pdf import render_pdf, static_url
from sakip.sops.models import Sop
from sakip.sops.services import sop_store_sheet_pdf
from sakip.sops.sheet import build_sheet
from sakip.sops.sheet_pdf import page_number_content, pdf_flowchart


@require_safe
def sop_list(request: HttpRequest) -> HttpResponse:
    sops = Sop.objects.current().order_by("nama", "slug")
    return render(request, "sops/sop_list.html", {"sops": sops})


def _sheet_response(request: HttpRequest, sop: Sop, *, pdf_url: str) -> HttpResponse:
    revisions = Sop.objects.filter(slug=sop.slug).select_related("created_by").order_by("-revision")
    return render(
        request,
        "sops/sheet.html",
        {"sop": sop, "sheet": build_sheet(sop), "revisions": revisions, "pdf_url": pdf_url},
    )


def newest_revision_or_404(slug: str) -> Sop:
    """The revision new documents start under, and the one the sheet shows by default."""
    try:
        return Sop.objects.latest_of(slug)
    except Sop.DoesNotExist:
        raise Http404 from None


@require_safe
def sop_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    sop = newest_revision_or_404(slug)
    # The newest revision's address links the newest revision's PDF, so that both stay current.
    return _sheet_response(request, sop, pdf_url=reverse("sops:sheet_pdf", args=[sop.slug]))


@require_safe
def sop_sheet_revision(request: HttpRequest, slug: str, revision: int) -> HttpResponse:
    sop = get_object_or_404(Sop, slug=slug, revision=revision)
    return _sheet_response(request, sop, pdf_url=reverse("sops:sheet_revision_pdf", args=[sop.slug, sop.revision]))


@require_safe
def sop_sheet_pdf(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    """The official sheet of the newest revision, or of the one asked for, as PDF in the office's language.

    A revision in use never changes, so its PDF is made once, stored, and served as stored afterwards:
    rendering takes a worker a tenth of a second or more and grows its memory.
    """
    sop = newest_revision_or_404(slug) if revision is None else get_object_or_404(Sop, slug=slug, revision=revision)
    filename = f"sop-{sop.slug}-rev{sop.revision}.pdf"
    if sop.sheet_pdf:
        try:
            return FileResponse(sop.sheet_pdf.open("rb"), content_type="application/pdf", filename=filename)
        except FileNotFoundError:
            pass  # lost from storage (a restore without media, say): made again below
    data = _render_sheet_pdf(sop)
    if sop.in_use_since is not None:
        sop_store_sheet_pdf(sop=sop, data=data, filename=filename)
    response = HttpResponse(data, content_type="application/pdf")
    response.headers["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    return response


def _render_sheet_pdf(sop: Sop) -> bytes:
    context = {
        "sop": sop,
        "flow": pdf_flowchart(build_sheet(sop)),
        "stylesheet": static_url("css/sheet_pdf.css"),
        "page_number": page_number_content(),
    }
    return render_pdf("sops/sheet_pdf.html", context)
