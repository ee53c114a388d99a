"""The consistency rules of an SOP definition, shared by the admin, the importer and the loader."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sakip.sops.models import Step


@dataclass(frozen=True)
class StepSpec:
    """What the rules need to know of a step, wherever it comes from (form, file, database)."""

    number: int | None
    kind: str
    has_actor: bool
    duration: int | None
    return_to: int | None
    is_signature: bool = False
    needs_other_person: bool = False


def spec_of(step: Step) -> StepSpec:
    return StepSpec(
        number=step.number,
        kind=step.kind,
        has_actor=step.actor_id is not None,
        duration=step.duration,
        return_to=step.return_to,
        is_signature=step.is_signature,
        needs_other_person=step.needs_other_person,
    )


def definition_errors(steps: Iterable[StepSpec]) -> list[str]:
    """Every reason the steps do not form a usable SOP, in reading order; empty when consistent."""
    return [message for _numbers, message in definition_problems(steps)]


def definition_problems(steps: Iterable[StepSpec]) -> list[tuple[tuple[int, ...], str]]:
    """definition_errors() with the numbers of the steps each reason is about (none: the whole SOP).

    The admin's steps table marks those rows and puts the reason beside them.
    """
    steps = sorted(steps, key=lambda s: (s.number is None, s.number or 0))
    problems: list[tuple[tuple[int, ...], str]] = []

    def add(message: str, *numbers: int | None) -> None:
        problems.append((tuple(n for n in numbers if n is not None), message))

    if not steps:
        return [((), _("The SOP has no steps: it needs at least a start step and an end step."))]

    numbers = [s.number for s in steps if s.number is not None]
    for number, count in sorted(Counter(numbers).items()):
        if count > 1:
            add(_("Step number %(number)s is used %(count)s times.") % {"number": number, "count": count}, number)
    for s in steps:
        if s.number is None or s.number < 1:
            add(_("Every step needs a number of 1 or more."), s.number)

    kinds = Counter(s.kind for s in steps)
    if kinds[Step.Kind.START] != 1:
        add(_("The SOP needs exactly one start step (it has %(count)s).") % {"count": kinds[Step.Kind.START]})
    elif steps[0].kind != Step.Kind.START:
        add(_("The start step must be the first step."), *(s.number for s in steps if s.kind == Step.Kind.START))
    if kinds[Step.Kind.END] != 1:
        add(_("The SOP needs exactly one end step (it has %(count)s).") % {"count": kinds[Step.Kind.END]})
    elif steps[-1].kind != Step.Kind.END:
        add(_("The end step must be the last step."), *(s.number for s in steps if s.kind == Step.Kind.END))

    signatures = [s.number for s in steps if s.is_signature]
    if len(signatures) > 1:
        add(
            _("Only one step can be the signature step (now: %(numbers)s).")
            % {"numbers": ", ".join(str(n) for n in signatures)},
            *signatures,
        )

    decisions = [s.number for s in steps if s.kind == Step.Kind.DECISION and s.number is not None]
    for s in steps:
        # The mark compares the person with the approvers of earlier decisions: without one it could never apply.
        if s.needs_other_person and s.number is not None and not any(d < s.number for d in decisions):
            add(
                _(
                    "Step %(number)s must be taken by someone other than the earlier approvers, "
                    "but no decision step comes before it."
                )
                % {"number": s.number},
                s.number,
            )

    existing = set(numbers)
    for s in steps:
        label = {"number": s.number}
        if not s.has_actor:
            add(_("Step %(number)s has no actor.") % label, s.number)
        if s.duration is None or s.duration <= 0:
            add(_("Step %(number)s: the time must be greater than zero.") % label, s.number)
        if s.kind == Step.Kind.DECISION:
            if s.return_to is None:
                add(_("Step %(number)s is a decision but has no step to return to.") % label, s.number)
            elif s.number is not None and s.return_to >= s.number:
                add(
                    _("Step %(number)s returns to step %(target)s, which is not earlier than the decision.")
                    % {**label, "target": s.return_to},
                    s.number,
                )
            elif s.return_to not in existing:
                add(
                    _("Step %(number)s returns to step %(target)s, which does not exist.")
                    % {**label, "target": s.return_to},
                    s.number,
                )
        elif s.return_to is not None:
            add(_("Step %(number)s is not a decision, so it cannot return a draft.") % label, s.number)
    return problems


def validate_definition(steps: Iterable[StepSpec]) -> None:
    errors = definition_errors(steps)
    if errors:
        raise ValidationError(errors)


def steps_from_rows(rows: Iterable[dict[str, Any]]) -> list[StepSpec]:
    return [
        StepSpec(
            number=row.get("number"),
            kind=row.get("kind", ""),
            has_actor=bool(row.get("actor")),
            duration=row.get("duration"),
            return_to=row.get("return_to"),
            is_signature=bool(row.get("is_signature")),
            needs_other_person=bool(row.get("needs_other_person")),
        )
        for row in rows
    ]
