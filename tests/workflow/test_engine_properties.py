"""Random people taking random actions: the engine keeps its promises after every one."""

import collections
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from sakip.workflow.models import Document, HistoryEntry
from sakip.workflow.services import DocumentMovedOn, document_transition
from tests.conftest import a_pdf, make_user, start_document
from tests.sops.factories import make_sop

Action = HistoryEntry.Action
_counter = itertools.count()
STATS: collections.Counter = collections.Counter()


class DocumentMachine(RuleBasedStateMachine):
    """A model of what should happen, read from the SOP's data, checked against the engine."""

    @initialize(shape=st.sampled_from(["default", "nine"]))
    def start(self, shape):
        n = next(_counter)
        if shape == "default":
            self.sop = make_sop(
                slug=f"pk-{n}",
                steps=7,
                decisions={5: 4, 6: 4},
                actors=["S", "K", "T", "A"],
                step_actors={1: "S", 2: "T", 3: "A", 4: "A", 5: "K", 6: "S", 7: "K"},
            )
        else:
            self.sop = make_sop(slug=f"nine-{n}", steps=9, decisions={4: 2, 7: 5}, actors=["X", "Y", "Z"])
        # Give the first step a paper to attach and every step a requirement to confirm.
        self.sop.steps.update(requirement="Kelengkapan")
        self.sop.steps.filter(number=1).update(attachment_required=True)
        self.steps = {s.number: s for s in self.sop.ordered_steps()}
        actors = list(self.sop.actors.select_related("group"))
        self.people = [make_user(f"m{n}-{a.position}-{i}", a.group.name) for a in actors for i in range(2)]
        self.people.append(make_user(f"m{n}-both", actors[0].group.name, actors[-1].group.name))
        self.people.append(make_user(f"m{n}-outsider"))
        starter = self.people[0]
        self.doc = start_document(sop=self.sop, title=f"Doc {n}", year=2026, by=starter)
        self.expected_step = 1
        self.expected_status = Document.Status.ACTIVE
        self.history = list(self._history())
        self.drafters: dict[int, int] = {}  # step number → who last completed it

    def _history(self):
        return (
            HistoryEntry.objects.filter(document=self.doc)
            .order_by("pk")
            .values_list("pk", "action", "step_id", "by_id", "reason")
        )

    def _expected_target(self, person, action, reason, confirmed, note, with_file):
        """What the SOP's data says should happen, or None when the action must be refused."""
        if self.expected_status != Document.Status.ACTIVE:
            return None
        step = self.steps[self.expected_step]
        if step.actor.group_id not in set(person.groups.values_list("pk", flat=True)):
            return None
        allowed = {
            "start": {Action.COMPLETE},
            "process": {Action.COMPLETE},
            "decision": {Action.APPROVE, Action.RETURN},
            "end": {Action.FINISH},
        }[step.kind]
        if action not in allowed:
            return None
        if action == Action.APPROVE and self.drafters.get(step.return_to) == person.pk:
            return None
        if action == Action.RETURN:
            return step.return_to if reason.strip() else None
        if step.requirement and not confirmed:
            return None
        if action in (Action.COMPLETE, Action.FINISH) and (
            (step.output and not note) or (step.attachment_required and not with_file)
        ):
            return None
        if action == Action.FINISH:
            return 0
        return min(n for n in self.steps if n > step.number)

    @rule(
        who=st.integers(min_value=0, max_value=100),
        action=st.sampled_from([Action.COMPLETE, Action.APPROVE, Action.RETURN, Action.FINISH]),
        reason=st.sampled_from(["", "  ", "Angka salah"]),
        confirmed=st.booleans(),
        note=st.sampled_from(["", "hasil"]),
        with_file=st.booleans(),
    )
    def anyone_acts(self, who, action, reason, confirmed, note, with_file):
        self._act(self.people[who % len(self.people)], action, reason, confirmed, note, with_file)

    @rule(
        who=st.integers(min_value=0, max_value=100),
        which=st.integers(min_value=0, max_value=1),
        reason=st.sampled_from(["", "Angka salah", "Angka salah"]),
        careless=st.integers(min_value=0, max_value=5),
    )
    def a_holder_acts(self, who, which, reason, careless):
        """Mostly the right person doing a permitted thing, sometimes forgetting one condition."""
        if self.expected_status != Document.Status.ACTIVE:
            return
        step = self.steps[self.expected_step]
        holders = [p for p in self.people if p.groups.filter(pk=step.actor.group_id).exists()]
        kind_actions = {
            "start": [Action.COMPLETE],
            "process": [Action.COMPLETE],
            "decision": [Action.APPROVE, Action.RETURN],
            "end": [Action.FINISH],
        }[step.kind]
        action = kind_actions[which % len(kind_actions)]
        self._act(
            holders[who % len(holders)],
            action,
            reason,
            confirmed=careless != 1,
            note="" if careless == 2 else "hasil",
            with_file=careless != 3,
        )

    def _act(self, person, action, reason, confirmed, note, with_file):
        target = self._expected_target(person, action, reason, confirmed, note, with_file)
        step_number = self.expected_step
        seen = Document.objects.get(pk=self.doc.pk)
        try:
            document_transition(
                document=seen,
                action=action,
                by=person,
                reason=reason,
                note=note,
                requirements_confirmed=confirmed,
                files=[a_pdf()] if with_file else [],
            )
            took_effect = True
        except (PermissionDenied, ValidationError, DocumentMovedOn):
            took_effect = False
        assert took_effect == (target is not None), (person.username, action, step_number, target)
        STATS[action if took_effect else "refused"] += 1
        if took_effect:
            if action == Action.COMPLETE:
                self.drafters[step_number] = person.pk
            if target == 0:
                self.expected_status = Document.Status.FINISHED
            else:
                self.expected_step = target

    @invariant()
    def exactly_one_current_step_while_active(self):
        doc = Document.objects.get(pk=self.doc.pk)
        assert doc.status == self.expected_status
        if doc.status == Document.Status.ACTIVE:
            assert doc.current_step is not None
            assert doc.current_step.number == self.expected_step
        else:
            assert doc.current_step is None

    @invariant()
    def history_is_append_only_and_complete(self):
        now = list(self._history())
        assert now[: len(self.history)] == self.history
        assert len(now) - len(self.history) <= 1
        self.history = now
        doc = Document.objects.get(pk=self.doc.pk)
        assert doc.version == len(now) - 1  # one row per transition, plus the start

    @invariant()
    def a_return_goes_to_the_configured_step(self):
        last = HistoryEntry.objects.filter(document=self.doc).order_by("pk").last()
        if last.action == Action.RETURN:
            assert last.to_step.number == last.step.return_to


@pytest.mark.django_db
def test_it_keeps_its_promises_under_random_actions():
    run_state_machine_as_test(
        DocumentMachine,
        settings=settings(
            max_examples=40, stateful_step_count=30, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
    # The random walk must really walk: forward, back, and to the end.
    assert STATS[Action.COMPLETE] > 0 and STATS[Action.RETURN] > 0 and STATS[Action.APPROVE] > 0, STATS
