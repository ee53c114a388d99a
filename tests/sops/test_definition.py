"""The consistency rules of an SOP definition (definition_errors / validate_definition)."""

import dataclasses

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from sakip.sops.definition import StepSpec, definition_errors, spec_of, steps_from_rows, validate_definition


@pytest.fixture(autouse=True)
def english():
    # The messages are translatable; the assertions read the English source text.
    with translation.override("en"):
        yield


def spec(number, kind="process", *, actor=True, duration=10, return_to=None) -> StepSpec:
    return StepSpec(number=number, kind=kind, has_actor=actor, duration=duration, return_to=return_to)


def three_steps() -> list[StepSpec]:
    return [spec(1, "start"), spec(2), spec(3, "end")]


def nine_steps() -> list[StepSpec]:
    return [
        spec(1, "start"),
        spec(2),
        spec(3),
        spec(4),
        spec(5, "decision", return_to=4),
        spec(6, "decision", return_to=4),
        spec(7),
        spec(8, "decision", return_to=1),
        spec(9, "end"),
    ]


def replace(steps: list[StepSpec], number: int, **changes) -> list[StepSpec]:
    return [dataclasses.replace(s, **changes) if s.number == number else s for s in steps]


def test_it_accepts_a_consistent_three_step_definition():
    assert definition_errors(three_steps()) == []


def test_it_accepts_a_consistent_nine_step_definition():
    assert definition_errors(nine_steps()) == []


def test_it_accepts_the_start_and_end_steps_alone():
    assert definition_errors([spec(1, "start"), spec(2, "end")]) == []


def test_it_reads_first_and_last_by_number_not_by_list_order():
    assert definition_errors(list(reversed(nine_steps()))) == []


def test_it_accepts_gaps_in_the_numbering():
    assert definition_errors([spec(10, "start"), spec(20, "decision", return_to=10), spec(30, "end")]) == []


def test_it_refuses_no_steps():
    assert definition_errors([]) == ["The SOP has no steps: it needs at least a start step and an end step."]


def test_it_refuses_a_duplicate_number():
    steps = [*three_steps(), spec(2)]
    assert definition_errors(steps) == ["Step number 2 is used 2 times."]


@pytest.mark.parametrize("number", [0, -1, None])
def test_it_refuses_a_number_below_one(number):
    steps = [*three_steps(), spec(number)]
    assert "Every step needs a number of 1 or more." in definition_errors(steps)


def test_it_refuses_no_start_step():
    steps = replace(three_steps(), 1, kind="process")
    assert definition_errors(steps) == ["The SOP needs exactly one start step (it has 0)."]


def test_it_refuses_two_start_steps():
    steps = replace(three_steps(), 2, kind="start")
    assert definition_errors(steps) == ["The SOP needs exactly one start step (it has 2)."]


def test_it_refuses_a_start_step_that_is_not_first():
    steps = replace(replace(three_steps(), 1, kind="process"), 2, kind="start")
    assert definition_errors(steps) == ["The start step must be the first step."]


def test_it_refuses_no_end_step():
    steps = replace(three_steps(), 3, kind="process")
    assert definition_errors(steps) == ["The SOP needs exactly one end step (it has 0)."]


def test_it_refuses_two_end_steps():
    steps = replace(three_steps(), 2, kind="end")
    assert definition_errors(steps) == ["The SOP needs exactly one end step (it has 2)."]


def test_it_refuses_an_end_step_that_is_not_last():
    steps = replace(replace(three_steps(), 3, kind="process"), 2, kind="end")
    assert definition_errors(steps) == ["The end step must be the last step."]


def test_it_refuses_a_step_without_actor():
    steps = replace(three_steps(), 2, has_actor=False)
    assert definition_errors(steps) == ["Step 2 has no actor."]


@pytest.mark.parametrize("duration", [0, -5, None])
def test_it_refuses_a_time_that_is_not_positive(duration):
    steps = replace(three_steps(), 2, duration=duration)
    assert definition_errors(steps) == ["Step 2: the time must be greater than zero."]


def test_it_refuses_a_decision_without_return_step():
    steps = replace(nine_steps(), 5, return_to=None)
    assert definition_errors(steps) == ["Step 5 is a decision but has no step to return to."]


@pytest.mark.parametrize("target", [5, 7])
def test_it_refuses_a_return_step_that_is_not_earlier(target):
    steps = replace(nine_steps(), 5, return_to=target)
    assert definition_errors(steps) == [f"Step 5 returns to step {target}, which is not earlier than the decision."]


def test_it_refuses_a_return_step_that_does_not_exist():
    steps = [spec(1, "start"), spec(3), spec(4, "decision", return_to=2), spec(5, "end")]
    assert definition_errors(steps) == ["Step 4 returns to step 2, which does not exist."]


@pytest.mark.parametrize("kind", ["start", "process", "end"])
def test_it_refuses_a_return_step_on_a_step_that_is_no_decision(kind):
    steps = [spec(1, "start"), spec(2, "process"), spec(3, "end")]
    number = {"start": 1, "process": 2, "end": 3}[kind]
    steps = replace(steps, number, return_to=1)
    assert definition_errors(steps) == [f"Step {number} is not a decision, so it cannot return a draft."]


def test_it_lists_every_error_at_once():
    steps = [spec(1, "process", actor=False), spec(2, "decision", duration=0), spec(3, "end", return_to=1)]
    assert definition_errors(steps) == [
        "The SOP needs exactly one start step (it has 0).",
        "Step 1 has no actor.",
        "Step 2: the time must be greater than zero.",
        "Step 2 is a decision but has no step to return to.",
        "Step 3 is not a decision, so it cannot return a draft.",
    ]


def test_it_raises_a_validation_error_with_every_message():
    steps = replace(replace(three_steps(), 2, has_actor=False), 3, duration=0)
    with pytest.raises(ValidationError) as caught:
        validate_definition(steps)
    assert caught.value.messages == ["Step 2 has no actor.", "Step 3: the time must be greater than zero."]


def test_it_validates_a_consistent_definition_silently():
    assert validate_definition(nine_steps()) is None


def test_it_reads_form_rows():
    rows = [
        {"number": 1, "kind": "start", "actor": "a", "duration": 5, "return_to": None},
        {"number": 2, "kind": "decision", "actor": None, "duration": 5, "return_to": 1},
        {"number": 3, "kind": "end", "actor": "b", "duration": 5},
    ]
    assert definition_errors(steps_from_rows(rows)) == ["Step 2 has no actor."]


@pytest.mark.django_db
def test_it_reads_the_steps_of_a_saved_sop(default_sop):
    specs = [spec_of(step) for step in default_sop.ordered_steps()]
    assert [(s.number, s.kind, s.return_to) for s in specs] == [
        (1, "start", None),
        (2, "process", None),
        (3, "process", None),
        (4, "process", None),
        (5, "decision", 4),
        (6, "decision", 4),
        (7, "end", None),
    ]
    assert definition_errors(specs) == []
