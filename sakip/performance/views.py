"""Pages of the Perjanjian Kinerja and of a document's realisation."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sakip.performance.forms import (
    AgreementForm,
    BudgetForm,
    IndicatorFormSet,
    ObjectiveForm,
    ProgrammeFormSet,
    RealisationForm,
)
from sakip.performance.models import Agreement, Measurement, Objective, Snapshot
from sakip.performance.pdf import render_measurement_pdf
from sakip.performance.services import (
    agreement_changes,
    can_edit_measurement,
    measurement_of,
    measurement_save,
    measurement_take_changes,
)
from sakip.performance.tables import changes_since_return, measurement_table
from sakip.workflow.forms import posted_version
from sakip.workflow.models import Document
from sakip.workflow.services import DocumentMovedOn, entries_of
from sakip.workflow.views import get_document_for_user

CHANGE = "performance.change_agreement"


def _editable_agreement(request: HttpRequest, year: int) -> Agreement:
    agreement = get_object_or_404(Agreement, year=year)
    if agreement.is_locked():
        raise PermissionDenied(_("A signed measurement uses this agreement, so it can no longer change."))
    return agreement


@require_safe
def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = Agreement.objects.all()
    return render(
        request,
        "performance/agreement_list.html",
        {"agreements": agreements, "can_change": request.user.has_perm(CHANGE)},
    )


@require_safe
def agreement_detail(request: HttpRequest, year: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement, year=year)
    locked = agreement.is_locked()
    objectives = agreement.objectives.prefetch_related("indicators", "programmes")
    return render(
        request,
        "performance/agreement_detail.html",
        {
            "agreement": agreement,
            "objectives": objectives,
            "can_change": request.user.has_perm(CHANGE) and not locked,
            "locked": locked,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def agreement_create(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agreement = form.save()
        messages.success(request, _("Agreement saved. Now add its strategic objectives."))
        return redirect(agreement)
    return render(request, "performance/agreement_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def agreement_edit(request: HttpRequest, year: int) -> HttpResponse:
    agreement = _editable_agreement(request, year)
    form = AgreementForm(request.POST or None, instance=agreement)
    if agreement.measurements.exists():
        # Documents were started for this year: moving the agreement to another year would orphan them.
        form.fields["year"].disabled = True
        form.fields["year"].help_text = _("Documents use this agreement, so its year stays.")
    if request.method == "POST" and form.is_valid():
        agreement = form.save()
        messages.success(request, _("Agreement saved."))
        return redirect(agreement)
    return render(request, "performance/agreement_form.html", {"form": form, "agreement": agreement})


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def objective_edit(request: HttpRequest, year: int, pk: int | None = None) -> HttpResponse:
    agreement = _editable_agreement(request, year)
    objective = get_object_or_404(agreement.objectives, pk=pk) if pk else Objective(agreement=agreement)
    if objective.pk is None:
        objective.position = agreement.objectives.count() + 1
    data = request.POST if request.method == "POST" else None
    form = ObjectiveForm(data, instance=objective)
    indicators = IndicatorFormSet(data, instance=objective, prefix="indicators")
    programmes = ProgrammeFormSet(data, instance=objective, prefix="programmes")
    if request.method == "POST" and form.is_valid() and indicators.is_valid() and programmes.is_valid():
        with transaction.atomic():
            objective = form.save()
            indicators.instance = programmes.instance = objective
            indicators.save()
            programmes.save()
        messages.success(request, _("Strategic objective saved."))
        return redirect(agreement)
    context = {
        "agreement": agreement,
        "objective": objective,
        "form": form,
        "indicators": indicators,
        "programmes": programmes,
    }
    return render(request, "performance/objective_form.html", context, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def objective_delete(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the objective with its indicators and programmes."""
    agreement = _editable_agreement(request, year)
    objective = get_object_or_404(agreement.objectives, pk=pk)
    if agreement.measurements.exists():
        messages.error(request, _("Documents already measure this agreement: its objectives cannot be removed."))
        return redirect(agreement)
    if request.method == "GET":
        return render(
            request, "performance/objective_confirm_delete.html", {"agreement": agreement, "objective": objective}
        )
    objective.delete()
    messages.success(request, _("Strategic objective removed."))
    return redirect(agreement)


@require_http_methods(["GET", "POST"])
def realisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request, pk)
    measurement = get_object_or_404(Measurement.objects.select_related("agreement"), document=document)
    if not can_edit_measurement(document, request.user):
        raise PermissionDenied(_("The measurement cannot be changed at this step."))
    results = list(measurement.indicator_results.in_sheet_order())
    budgets = list(measurement.programme_results.in_sheet_order())
    data = request.POST if request.method == "POST" else None
    indicator_forms = [
        RealisationForm(
            data,
            prefix=f"i{r.pk}",
            result=r,
            initial={"realisation": r.realisation, "helped": r.helped, "held_back": r.held_back},
        )
        for r in results
    ]
    budget_forms = [BudgetForm(data, prefix=f"p{r.pk}", result=r, initial={"realised": r.realised}) for r in budgets]
    if request.method == "POST":
        version = posted_version(request)
        if all(f.is_valid() for f in indicator_forms + budget_forms) and version is not None:
            try:
                measurement_save(
                    measurement=measurement,
                    by=request.user,
                    version=version,
                    indicators={f.result.pk: f.cleaned_data for f in indicator_forms},
                    programmes={f.result.pk: f.cleaned_data["realised"] for f in budget_forms},
                )
            except DocumentMovedOn as exc:
                # Someone else saved or moved the document: their work stays, this form is shown again.
                messages.warning(request, str(exc))
                return redirect(document)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Realisation saved."))
                return redirect(document)
        else:
            messages.error(request, _("Some values could not be saved: see the marked fields. Nothing was saved."))
    context = {
        "document": document,
        "version": document.version,
        "measurement": measurement,
        "indicator_forms": indicator_forms,
        "budget_forms": budget_forms,
    }
    return render(
        request, "performance/realisation_form.html", context, status=400 if request.method == "POST" else 200
    )


def measurement_panel(request: HttpRequest, document) -> dict | None:
    """What the document page shows of the measurement (called by the workflow's document page)."""
    measurement = measurement_of(document)
    if measurement is None:
        return None
    can_edit = can_edit_measurement(document, request.user)
    running = document.status == Document.Status.ACTIVE
    indicators = list(measurement.indicator_results.in_sheet_order())
    programmes = list(measurement.programme_results.in_sheet_order())
    return {
        "measurement": measurement,
        "table": measurement_table(measurement, indicators, programmes),
        "can_edit": can_edit,
        # The work of a content step comes first in the step box (workflow/_step_work.html), not below the fold.
        "step_template": "performance/_measurement_step.html" if can_edit else None,
        "filled": sum(result.realisation is not None for result in indicators),
        # What the agreement says now that this document's copy does not; taken in only on purpose.
        "agreement_changes": agreement_changes(measurement, indicators, programmes) if running else [],
        "signed": document.signed is not None and bool(document.signed.pdf),
        # Shown while the document is under review, so the reviewer sees what the resubmission changed.
        "changes": changes_since_return(measurement, indicators, _handed_on(document))
        if running and document.current_step.is_decision
        else None,
    }


def _handed_on(document) -> list[Snapshot]:
    """The snapshots of the document, newest first, read from the timeline the page loaded with them."""
    snapshots = []
    for entry in reversed(entries_of(document)):
        try:
            snapshots.append(entry.snapshot)
        except Snapshot.DoesNotExist:
            continue
    return snapshots


@require_POST
def take_agreement_changes(request: HttpRequest, pk: int) -> HttpResponse:
    """The drafter brings the agreement's later changes into the document, on purpose and on the record."""
    document = get_document_for_user(request, pk)
    measurement = get_object_or_404(Measurement, document=document)
    if not can_edit_measurement(document, request.user):
        raise PermissionDenied(_("The measurement cannot be changed at this step."))
    measurement.document = document
    version = posted_version(request)
    if version is None:
        return HttpResponseBadRequest()
    try:
        measurement_take_changes(measurement=measurement, by=request.user, version=version)
    except DocumentMovedOn as exc:
        messages.warning(request, str(exc))
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The agreement's changes were taken in; the timeline lists them."))
    return redirect(document)


@require_safe
def measurement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed PDF exactly as stored at signing; before that, a draft made on the spot."""
    document = get_document_for_user(request, pk)
    measurement = get_object_or_404(Measurement.objects.select_related("agreement", "document"), document=document)
    signature = document.signed
    if signature is not None and signature.pdf:
        return FileResponse(
            signature.pdf.open("rb"), content_type="application/pdf", filename=signature.pdf.name.rsplit("/", 1)[-1]
        )
    data = render_measurement_pdf(measurement)
    response = HttpResponse(data, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="draf-pengukuran-kinerja-{document.year}.pdf"'
    return response
