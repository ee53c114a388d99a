"""Writes to the steps of an SOP revision that renumber others: insert a step between two, move one up or down.

Both run in one transaction on the locked SOP row, refuse a revision that is frozen (in use, or
superseded by a newer one), and keep the decisions' return targets (``return_to``) pointing at the
same steps. The result must still pass the definition rules, or nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, When
from django.utils.translation import gettext as _

from sakip.sops.definition import definition_errors, spec_of
from sakip.sops.models import Sop, Step

# Numbers are shifted out of the way first, so that no two steps of the SOP share a number at any
# moment, whichever order the database updates the rows in. Step numbers are small (the field is a
# PositiveSmallIntegerField, at most 32767), and a negative number would break its check constraint.
_OFFSET = 10000


def is_frozen(sop: Sop | None) -> bool:
    """Revisions in use, and superseded ones, are history: they are never edited."""
    return sop is not None and sop.pk is not None and (sop.is_in_use or not sop.is_latest())


def hold_editable(sop: Sop) -> Sop:
    """The SOP row, held until the transaction ends; PermissionDenied when the revision may not change.

    A conditional write, not a read: it holds the row (PostgreSQL) or the database (SQLite) from
    here on, so a document starting under the revision, which writes the same row, cannot slip in
    between the check and the renumbering. The admin's save does the same.
    """
    if not Sop.objects.filter(pk=sop.pk, in_use_since__isnull=True).update(in_use_since=None):
        raise PermissionDenied(_("This revision can no longer change; create a new revision."))
    locked = Sop.objects.get(pk=sop.pk)
    if is_frozen(locked):
        raise PermissionDenied(_("This revision can no longer change; create a new revision."))
    return locked


def _check(sop: Sop) -> None:
    errors = definition_errors(spec_of(step) for step in sop.steps.all())
    if errors:
        raise ValidationError(errors)


def insert_step(sop: Sop, before_number: int, **fields: Any) -> Step:
    """Insert a step with ``fields`` as number ``before_number``; that step and the later ones move down by one.

    The decisions that returned to a step that moved return to it under its new number.
    ``before_number`` may also be one past the last step (to append), which the rules
    refuse while the last step is the end step.
    """
    with transaction.atomic():
        sop = hold_editable(sop)
        steps = sop.steps.all()
        last = steps.aggregate(m=Max("number"))["m"] or 0
        if not 1 <= before_number <= last + 1:
            raise ValidationError(_("There is no step %(number)s to insert before.") % {"number": before_number})
        later = steps.filter(number__gte=before_number)
        later.update(number=F("number") + _OFFSET)
        steps.filter(number__gte=before_number + _OFFSET).update(number=F("number") - _OFFSET + 1)
        steps.filter(return_to__gte=before_number).update(return_to=F("return_to") + 1)
        step = Step(sop=sop, number=before_number, **fields)
        step.full_clean(exclude=["sop"])
        step.save()
        _check(sop)
        return step


def move_step(step: Step, delta: int) -> Step:
    """Swap ``step`` with its neighbour above (``delta`` = -1) or below (+1); returns the step, renumbered.

    The decisions that returned to either of the two steps keep returning to the same step.
    """
    if delta not in (-1, 1):
        raise ValueError("A step moves by one place: delta is -1 or 1.")
    with transaction.atomic():
        sop = hold_editable(step.sop)
        steps = sop.steps.all()
        step = steps.get(pk=step.pk)
        neighbours = steps.filter(number__lt=step.number).order_by("-number")
        if delta > 0:
            neighbours = steps.filter(number__gt=step.number).order_by("number")
        other = neighbours.first()
        if other is None:
            raise ValidationError(
                _("Step %(number)s is already the first step.")
                if delta < 0
                else _("Step %(number)s is already the last step."),
                params={"number": step.number},
            )
        mine, theirs = step.number, other.number
        steps.filter(pk=step.pk).update(number=mine + _OFFSET)
        steps.filter(pk=other.pk).update(number=mine)
        steps.filter(pk=step.pk).update(number=theirs)
        steps.filter(return_to__in=[mine, theirs]).update(
            return_to=Case(When(return_to=mine, then=theirs), When(return_to=theirs, then=mine))
        )
        _check(sop)
        step.refresh_from_db()
        return step
