"""Writes to the measurement: creating it with a document, saving realisations, snapshots for review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sakip.lib.numbers import format_id_decimal
from sakip.performance.capaian import LowerFormula, Polarity
from sakip.performance.models import (
    MONEY,
    NUMBER,
    Agreement,
    Indicator,
    IndicatorResult,
    Measurement,
    Programme,
    ProgrammeResult,
    Snapshot,
    decimals_problem,
)
from sakip.workflow.models import Document, HistoryEntry
from sakip.workflow.services import document_change_content, holds_actor


def sop_carries_measurement(sop) -> bool:
    """An SOP whose steps include a content step produces documents with a measurement."""
    return sop.steps.filter(edits_content=True).exists()


def measurement_create(*, document: Document) -> Measurement:
    agreement = Agreement.objects.filter(year=document.year).first()
    if agreement is None:
        raise ValidationError(
            {
                "year": _("There is no Perjanjian Kinerja for %(year)s yet: ask the administrator to enter it first.")
                % {"year": document.year}
            }
        )
    measurement = Measurement.objects.create(
        document=document, agreement=agreement, agreement_revised_at=agreement.revised_at
    )
    IndicatorResult.objects.bulk_create(
        IndicatorResult(measurement=measurement, indicator=indicator, **judged_by(indicator))
        for indicator in Indicator.objects.filter(objective__agreement=agreement).select_related("objective")
    )
    ProgrammeResult.objects.bulk_create(
        ProgrammeResult(measurement=measurement, programme=programme, **judged_by(programme))
        for programme in Programme.objects.filter(objective__agreement=agreement).select_related("objective")
    )
    return measurement


# What a measurement copies from the agreement when the document starts, per kind of row.
# The decimals an indicator takes are copied too, but are not part of the content digest (measurement_content):
# they only say how the exact values there are written, never changing a value, and no stored value is
# shown with fewer decimals than it holds (sakip.lib.numbers.format_in_decimals).
INDICATOR_COPY = (
    "position",
    "name",
    "unit",
    "explanation",
    "decimals",
    "target",
    "polarity",
    "lower_formula",
    "allow_negative",
)
PROGRAMME_COPY = ("position", "name", "budget")


def judged_by(item: Indicator | Programme) -> dict:
    """The copy of an agreement's indicator or programme that a measurement row keeps as its own."""
    fields = INDICATOR_COPY if isinstance(item, Indicator) else PROGRAMME_COPY
    return {
        "objective_position": item.objective.position,
        "objective_text": item.objective.text,
        **{name: getattr(item, name) for name in fields},
    }


def can_edit_measurement(document: Document, user) -> bool:
    """Only at a content step, only for the people who hold that step, and never once signed."""
    step = document.current_step
    return (
        document.status == Document.Status.ACTIVE
        and document.signed is None
        and step is not None
        and step.edits_content
        and holds_actor(user, step)
    )


def measurement_save(
    *,
    measurement: Measurement,
    by,
    version: int,
    indicators: Mapping[int, dict],
    programmes: Mapping[int, Decimal | None] | None = None,
    source: str = "",
) -> HistoryEntry | None:
    """Save realisations all at once: ``indicators`` maps an IndicatorResult pk to its new values.

    ``version`` is the document's version the person read: a stale form is refused (DocumentMovedOn),
    like a stale approval, and the saved change is one entry of the history. Refused
    (PermissionDenied) unless ``by`` may edit now. Saving what is already there records nothing.
    """
    if not can_edit_measurement(measurement.document, by):
        raise PermissionDenied(_("The measurement cannot be changed at this step."))
    results = {r.pk: r for r in measurement.indicator_results.all()}
    unknown = set(indicators) - set(results)
    if unknown:
        raise ValidationError(_("Unknown indicator rows: %(rows)s") % {"rows": sorted(unknown)})
    rows = {r.pk: r for r in measurement.programme_results.all()}
    if set(programmes or {}) - set(rows):
        raise ValidationError(_("Unknown programme rows."))
    changed_indicators, changed_programmes = [], []
    too_fine = [
        f"{results[pk].name[:80]}: {problem}"
        for pk, values in indicators.items()
        if values.get("realisation") != results[pk].realisation
        and (problem := decimals_problem(values.get("realisation"), results[pk].decimals, results[pk].unit))
    ]
    if too_fine:  # the forms and the Excel reader say so at the field first; this keeps every other caller to it
        raise ValidationError(too_fine)
    for pk, values in indicators.items():
        result = results[pk]
        if any(field in values and getattr(result, field) != values[field] for field in RESULT_FIELDS):
            for field in RESULT_FIELDS:
                if field in values:
                    setattr(result, field, values[field])
            changed_indicators.append(result)
    for pk, realised in (programmes or {}).items():
        if rows[pk].realised != realised:
            rows[pk].realised = realised
            changed_programmes.append(rows[pk])
    if not changed_indicators and not changed_programmes:
        return None

    def apply(document: Document) -> None:
        if not can_edit_measurement(document, by):
            raise PermissionDenied(_("The measurement cannot be changed at this step."))
        IndicatorResult.objects.bulk_update(changed_indicators, list(RESULT_FIELDS))
        ProgrammeResult.objects.bulk_update(changed_programmes, ["realised"])

    count = len(changed_indicators) + len(changed_programmes)
    note = ngettext("%(count)s row changed", "%(count)s rows changed", count) % {"count": count}
    return document_change_content(
        document=measurement.document,
        version=version,
        by=by,
        action=HistoryEntry.Action.EDIT,
        apply=apply,
        note=f"{note} ({source})" if source else note,
    )


RESULT_FIELDS = ("realisation", "helped", "held_back")


# ---------------------------------------------------------------------------------------------
# The agreement's later changes, taken in on purpose


@dataclass(frozen=True)
class AgreementChange:
    """One difference between a measurement's copy and its agreement as it stands: before → after."""

    item: str  # the indicator or programme, as the agreement now names it
    field: str  # what changed, in words; "" for a new row
    before: str
    after: str


def _shown(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return format_id_decimal(value)
    if field == "polarity":
        return str(Polarity(value).label)
    if field == "lower_formula":
        return str(LowerFormula(value).label)
    return str(value)


def _differences(row, wanted: dict, model, copied) -> list[AgreementChange]:
    changes = []
    for field in ("objective_position", "objective_text", *copied):
        before, after = getattr(row, field), wanted[field]
        if before != after:
            label = model._meta.get_field(field).verbose_name
            changes.append(AgreementChange(wanted["name"], str(label), _shown(field, before), _shown(field, after)))
    return changes


def agreement_changes(
    measurement: Measurement,
    indicators: list[IndicatorResult] | None = None,
    programmes: list[ProgrammeResult] | None = None,
) -> list[AgreementChange]:
    """What the agreement says now that the measurement's copy does not: changed and new rows.

    Pass the measurement's rows when the caller has them already: then two queries read the agreement.
    """
    if measurement.agreement_revised_at == measurement.agreement.revised_at:
        return []  # nothing changed since the copy was taken: no need to compare
    if indicators is None:
        indicators = list(measurement.indicator_results.in_sheet_order())
    if programmes is None:
        programmes = list(measurement.programme_results.in_sheet_order())
    current_indicators, current_programmes = _agreement_items(measurement)
    changes: list[AgreementChange] = []
    for row in indicators:
        if row.indicator_id in current_indicators:
            wanted = judged_by(current_indicators.pop(row.indicator_id))
            changes += _differences(row, wanted, IndicatorResult, INDICATOR_COPY)
    for row in programmes:
        if row.programme_id in current_programmes:
            wanted = judged_by(current_programmes.pop(row.programme_id))
            changes += _differences(row, wanted, ProgrammeResult, PROGRAMME_COPY)
    # What is left of the agreement is new to this measurement.
    for item in current_indicators.values():
        changes.append(AgreementChange(item.name, "", "—", _("new: %(value)s") % {"value": _shown("", item.target)}))
    for item in current_programmes.values():
        shown = format_id_decimal(item.budget, 2)
        changes.append(AgreementChange(item.name, "", "—", _("new: %(value)s") % {"value": shown}))
    return changes


def _agreement_items(measurement: Measurement) -> tuple[dict[int, Indicator], dict[int, Programme]]:
    """The agreement's indicators and programmes as they stand, by id, in the agreement's order."""
    agreement = measurement.agreement_id
    indicators = Indicator.objects.filter(objective__agreement=agreement).select_related("objective")
    programmes = Programme.objects.filter(objective__agreement=agreement).select_related("objective")
    return {i.pk: i for i in indicators}, {p.pk: p for p in programmes}


def measurement_take_changes(*, measurement: Measurement, by, version: int) -> HistoryEntry:
    """Bring the agreement's later changes into the measurement at a content step; the history lists them."""
    document = measurement.document
    # Read afresh: the caller's object may hold the agreement as it was before the change.
    measurement = Measurement.objects.select_related("agreement").get(pk=measurement.pk)
    changes = agreement_changes(measurement)
    if not changes:
        raise ValidationError(_("The measurement already matches the agreement."))

    def apply(document: Document) -> None:
        if not can_edit_measurement(document, by):
            raise PermissionDenied(_("The measurement cannot be changed at this step."))
        # Read again under the claimed version: the agreement may have changed since the page was read.
        revised_at = Agreement.objects.values_list("revised_at", flat=True).get(pk=measurement.agreement_id)
        indicators, programmes = _agreement_items(measurement)
        for row in measurement.indicator_results.all():
            _copy_into(row, judged_by(indicators.pop(row.indicator_id)))
        for row in measurement.programme_results.all():
            _copy_into(row, judged_by(programmes.pop(row.programme_id)))
        IndicatorResult.objects.bulk_create(
            IndicatorResult(measurement=measurement, indicator=item, **judged_by(item)) for item in indicators.values()
        )
        ProgrammeResult.objects.bulk_create(
            ProgrammeResult(measurement=measurement, programme=item, **judged_by(item)) for item in programmes.values()
        )
        Measurement.objects.filter(pk=measurement.pk).update(agreement_revised_at=revised_at)

    lines = [
        f"{change.item[:80]}: {change.field} {change.before} → {change.after}"
        if change.field
        else f"{change.item[:80]}: {change.after}"
        for change in changes
    ]
    return document_change_content(
        document=document,
        version=version,
        by=by,
        action=HistoryEntry.Action.TAKE_IN,
        apply=apply,
        note="\n".join(lines[:MAX_CHANGE_LINES]) + ("\n…" if len(lines) > MAX_CHANGE_LINES else ""),
    )


MAX_CHANGE_LINES = 50


def _copy_into(row, values: dict) -> None:
    if any(getattr(row, field) != value for field, value in values.items()):
        for field, value in values.items():
            setattr(row, field, value)
        row.save(update_fields=list(values))


def measurement_of(document: Document) -> Measurement | None:
    """The document's measurement, or None; loaded with the document where the page asked for it."""
    try:
        return document.measurement
    except Measurement.DoesNotExist:
        return None


def agreement_unchanged(document: Document) -> str:
    """An approval check (sakip.workflow.content): a measurement is approved only as its agreement stands."""
    measurement = measurement_of(document)
    if measurement is None or not agreement_changes(measurement):
        return ""
    return _(
        "The Perjanjian Kinerja changed after this document started. Return it so that the changes are taken in "
        "at a content step, then approve it."
    )


def measurement_content(document: Document) -> dict | None:
    """The measurement's part of the document's canonical content (sakip.workflow.content)."""
    measurement = measurement_of(document)
    if measurement is None:
        return None

    def number(value: Decimal | None, places: int) -> str | None:
        return None if value is None else f"{value.quantize(Decimal(1).scaleb(-places)):f}"

    places, money = NUMBER["decimal_places"], MONEY["decimal_places"]
    return {
        "agreement": measurement.agreement_id,
        "indicators": [
            [
                r.indicator_id,
                r.objective_position,
                r.objective_text,
                r.position,
                r.name,
                r.unit,
                r.explanation,
                number(r.target, places),
                r.polarity,
                r.lower_formula,
                r.allow_negative,
                number(r.realisation, places),
                r.helped,
                r.held_back,
            ]
            for r in measurement.indicator_results.in_sheet_order()
        ],
        "programmes": [
            [
                r.programme_id,
                r.objective_position,
                r.objective_text,
                r.position,
                r.name,
                number(r.budget, money),
                number(r.realised, money),
            ]
            for r in measurement.programme_results.in_sheet_order()
        ],
    }


def snapshot_data(measurement: Measurement) -> dict:
    def text(value):
        return None if value is None else str(value)

    return {
        "indicators": {str(r.indicator_id): text(r.realisation) for r in measurement.indicator_results.all()},
        "programmes": {str(r.programme_id): text(r.realised) for r in measurement.programme_results.all()},
    }


def snapshot_take(*, measurement: Measurement, entry: HistoryEntry) -> Snapshot:
    return Snapshot.objects.create(measurement=measurement, entry=entry, data=snapshot_data(measurement))
