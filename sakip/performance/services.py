"""Writes to the measurement: creating it with a document, saving realisations, snapshots for review."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sakip.performance.models import (
    Agreement,
    Indicator,
    IndicatorResult,
    Measurement,
    Programme,
    ProgrammeResult,
    Snapshot,
)
from sakip.workflow.models import Document, HistoryEntry, Signature
from sakip.workflow.services import holds_actor


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
    measurement = Measurement.objects.create(document=document, agreement=agreement)
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
INDICATOR_COPY = ("position", "name", "unit", "explanation", "target", "polarity", "lower_formula", "allow_negative")
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
        and not Signature.objects.filter(document=document).exists()
        and step is not None
        and step.edits_content
        and holds_actor(user, step)
    )


def measurement_save(
    *,
    measurement: Measurement,
    by,
    indicators: Mapping[int, dict],
    programmes: Mapping[int, Decimal | None] | None = None,
    version: int | None = None,
) -> None:
    """Save realisations all at once: ``indicators`` maps an IndicatorResult pk to its new values.

    Refused (PermissionDenied) unless ``by`` may edit now; with ``version``,
    refused when the document moved on since the form was read.
    """
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("current_step__actor")
            .get(pk=measurement.document_id)
        )
        if version is not None and document.version != version:
            raise PermissionDenied(_("This document has moved on since you opened it. Look at it again."))
        if not can_edit_measurement(document, by):
            raise PermissionDenied(_("The measurement cannot be changed at this step."))
        results = {r.pk: r for r in measurement.indicator_results.select_for_update()}
        unknown = set(indicators) - set(results)
        if unknown:
            raise ValidationError(_("Unknown indicator rows: %(rows)s") % {"rows": sorted(unknown)})
        for pk, values in indicators.items():
            result = results[pk]
            for field in ("realisation", "helped", "held_back"):
                if field in values:
                    setattr(result, field, values[field])
        IndicatorResult.objects.bulk_update(results.values(), ["realisation", "helped", "held_back"])
        if programmes:
            rows = {r.pk: r for r in measurement.programme_results.select_for_update()}
            if set(programmes) - set(rows):
                raise ValidationError(_("Unknown programme rows."))
            for pk, realised in programmes.items():
                rows[pk].realised = realised
            ProgrammeResult.objects.bulk_update(rows.values(), ["realised"])


def snapshot_data(measurement: Measurement) -> dict:
    def text(value):
        return None if value is None else str(value)

    return {
        "indicators": {str(r.indicator_id): text(r.realisation) for r in measurement.indicator_results.all()},
        "programmes": {str(r.programme_id): text(r.realised) for r in measurement.programme_results.all()},
    }


def snapshot_take(*, measurement: Measurement, entry: HistoryEntry) -> Snapshot:
    return Snapshot.objects.create(measurement=measurement, entry=entry, data=snapshot_data(measurement))


def missing_realisations(measurement: Measurement) -> int:
    return measurement.indicator_results.filter(realisation__isnull=True).count()
