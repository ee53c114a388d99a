"""Inserting a step between two and moving a step up or down (sakip.sops.editing), renumbering in one transaction.

Run on PostgreSQL too (DATABASE_URL=postgres://...): the renumbering must never put two steps of the SOP
on one number, nor a number below zero, whichever order the database updates the rows in.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from sakip.sops.editing import insert_step, move_step
from sakip.sops.models import Actor, Sop, Step
from sakip.sops.services import sop_new_revision
from tests.sops.factories import make_sop

pytestmark = pytest.mark.django_db


def layout(sop: Sop) -> list[tuple[int, str, int | None]]:
    """(number, activity, return_to) of every step, in order."""
    return list(sop.steps.order_by("number").values_list("number", "activity", "return_to"))


def nine() -> Sop:
    # Decision 5 returns to step 4, decision 7 to step 2.
    return make_sop(steps=9, decisions={5: 4, 7: 2})


def new_step(sop: Sop, **extra):
    return {
        "activity": "Langkah sisipan",
        "actor": Actor.objects.filter(sop=sop).first(),
        "kind": Step.Kind.PROCESS,
        "duration": 15,
        "duration_unit": Step.TimeUnit.MINUTES,
        **extra,
    }


# --- insert ------------------------------------------------------------------


def test_it_inserts_a_step_and_renumbers_the_later_ones_and_their_return_targets():
    sop = nine()

    step = insert_step(sop, 4, **new_step(sop))

    assert step.number == 4
    assert layout(sop) == [
        (1, "Langkah 1", None),
        (2, "Langkah 2", None),
        (3, "Langkah 3", None),
        (4, "Langkah sisipan", None),
        (5, "Langkah 4", None),
        (6, "Langkah 5", 5),  # still returns to "Langkah 4", now step 5
        (7, "Langkah 6", None),
        (8, "Langkah 7", 2),  # returned to a step before the insert: unchanged
        (9, "Langkah 8", None),
        (10, "Langkah 9", None),
    ]


def test_it_inserts_a_decision_returning_to_an_earlier_step():
    sop = nine()

    insert_step(sop, 9, **new_step(sop, kind=Step.Kind.DECISION, return_to=3))

    assert layout(sop)[-2:] == [(9, "Langkah sisipan", 3), (10, "Langkah 9", None)]


def test_it_keeps_every_other_field_of_the_moved_steps():
    sop = nine()
    before = {row["activity"]: row for row in sop.steps.values() if row["number"] >= 4}

    insert_step(sop, 4, **new_step(sop))

    after = {row["activity"]: row for row in sop.steps.values() if row["activity"] in before}
    for activity, row in before.items():
        assert after[activity]["number"] == row["number"] + 1
        assert {k: v for k, v in after[activity].items() if k not in {"number", "return_to"}} == {
            k: v for k, v in row.items() if k not in {"number", "return_to"}
        }


@pytest.mark.parametrize(
    ("before", "extra", "message"),
    [
        pytest.param(1, {}, "The start step must be the first step.", id="before-the-start"),
        pytest.param(10, {}, "The end step must be the last step.", id="after-the-end"),
        pytest.param(
            4,
            {"kind": Step.Kind.DECISION, "return_to": 4},
            "Step 4 returns to step 4, which is not earlier than the decision.",
            id="decision-returning-to-itself",
        ),
        pytest.param(11, {}, "There is no step 11 to insert before.", id="past-the-end"),
        pytest.param(0, {}, "There is no step 0 to insert before.", id="zero"),
    ],
)
def test_it_refuses_an_insert_that_breaks_the_rules_and_writes_nothing(settings, before, extra, message):
    settings.LANGUAGE_CODE = "en"
    sop = nine()
    was = layout(sop)

    with pytest.raises(ValidationError) as refused:
        insert_step(sop, before, **new_step(sop, **extra))

    assert message in refused.value.messages
    assert layout(sop) == was


def test_it_refuses_an_insert_with_a_bad_field_and_writes_nothing(settings):
    settings.LANGUAGE_CODE = "en"
    sop = nine()
    was = layout(sop)

    with pytest.raises(ValidationError):
        insert_step(sop, 4, **new_step(sop, activity=""))

    assert layout(sop) == was


# --- move --------------------------------------------------------------------


def test_it_moves_a_step_down_and_the_return_targets_follow():
    sop = nine()
    three = sop.steps.get(number=3)

    moved = move_step(three, 1)

    assert moved.number == 4
    assert layout(sop)[2:5] == [
        (3, "Langkah 4", None),
        (4, "Langkah 3", None),
        (5, "Langkah 5", 3),  # still returns to "Langkah 4", now step 3
    ]


def test_it_moves_a_step_up_and_the_return_targets_follow():
    sop = nine()
    three = sop.steps.get(number=3)

    moved = move_step(three, -1)

    assert moved.number == 2
    assert layout(sop)[:4] == [
        (1, "Langkah 1", None),
        (2, "Langkah 3", None),
        (3, "Langkah 2", None),
        (4, "Langkah 4", None),
    ]
    # Decision 7 returned to "Langkah 2": it follows it to number 3.
    assert sop.steps.get(number=7).return_to == 3


def test_it_moves_to_the_neighbour_when_numbers_have_gaps():
    sop = make_sop(steps=3)
    sop.steps.filter(number=3).update(number=30)
    sop.steps.filter(number=2).update(number=20)
    insert_step(sop, 20, **new_step(sop))  # 1, 20 (new), 21, 31

    moved = move_step(sop.steps.get(activity="Langkah sisipan"), 1)

    assert moved.number == 21
    assert layout(sop) == [
        (1, "Langkah 1", None),
        (20, "Langkah 2", None),
        (21, "Langkah sisipan", None),
        (31, "Langkah 3", None),
    ]


@pytest.mark.parametrize(
    ("number", "delta", "message"),
    [
        pytest.param(1, -1, "Step 1 is already the first step.", id="first-up"),
        pytest.param(9, 1, "Step 9 is already the last step.", id="last-down"),
        pytest.param(2, -1, "The start step must be the first step.", id="above-the-start"),
        pytest.param(8, 1, "The end step must be the last step.", id="below-the-end"),
        # Decision 5 returns to step 4: above it, it would return to a later step.
        pytest.param(
            5, -1, "Step 4 returns to step 5, which is not earlier than the decision.", id="decision-above-target"
        ),
    ],
)
def test_it_refuses_a_move_that_breaks_the_rules_and_writes_nothing(settings, number, delta, message):
    settings.LANGUAGE_CODE = "en"
    sop = nine()
    was = layout(sop)

    with pytest.raises(ValidationError) as refused:
        move_step(sop.steps.get(number=number), delta)

    assert message in refused.value.messages
    assert layout(sop) == was


def test_it_moves_by_one_place_only():
    sop = nine()
    with pytest.raises(ValueError, match="delta"):
        move_step(sop.steps.get(number=3), 2)


def test_it_never_puts_two_steps_on_one_number_nor_below_zero():
    """Every UPDATE the renumbering sends leaves the numbers of the SOP distinct and positive."""
    sop = nine()
    seen: list[list[int]] = []

    def check(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("UPDATE") and "sops_step" in sql:
            seen.append(list(Step.objects.filter(sop=sop).values_list("number", flat=True)))
        return result

    with connection.execute_wrapper(check):
        insert_step(sop, 4, **new_step(sop))
        move_step(sop.steps.get(number=4), -1)
    assert seen
    for numbers in seen:
        assert len(numbers) == len(set(numbers))
        assert min(numbers) >= 1


# --- frozen revisions --------------------------------------------------------


@pytest.mark.parametrize("how", ["in-use", "superseded"])
def test_it_refuses_to_renumber_a_frozen_revision(how):
    sop = nine()
    if how == "in-use":
        Sop.objects.filter(pk=sop.pk).update(in_use_since=timezone.now())
    else:
        sop_new_revision(sop=sop)
    was = layout(sop)

    with pytest.raises(PermissionDenied):
        insert_step(sop, 4, **new_step(sop))
    with pytest.raises(PermissionDenied):
        move_step(sop.steps.get(number=3), 1)

    assert layout(sop) == was
