"""Pages that show SOPs to logged-in staff: the list and the official sheet."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from sakip.sops.models import Sop
from sakip.sops.sheet import build_sheet


@require_safe
def sop_list(request: HttpRequest) -> HttpResponse:
    sops = Sop.objects.current().order_by("nama", "slug")
    return render(request, "sops/sop_list.html", {"sops": sops})


def _sheet_response(request: HttpRequest, sop: Sop) -> HttpResponse:
    revisions = Sop.objects.filter(slug=sop.slug).select_related("created_by").order_by("-revision")
    return render(
        request,
        "sops/sheet.html",
        {"sop": sop, "sheet": build_sheet(sop), "revisions": revisions},
    )


@require_safe
def sop_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    sop = Sop.objects.filter(slug=slug).order_by("-revision").first()
    if sop is None:
        raise Http404
    return _sheet_response(request, sop)


@require_safe
def sop_sheet_revision(request: HttpRequest, slug: str, revision: int) -> HttpResponse:
    return _sheet_response(request, get_object_or_404(Sop, slug=slug, revision=revision))
