"""What a person is told after acting on a document: what they did, and where the document is now.

Built from data only: the action taken, the step it was taken at (a signature step or not) and the
document as it stands after the change (its status, its current step and that step's actor).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sakip.sops.models import Step
from sakip.workflow.models import Document, HistoryEntry

Action = HistoryEntry.Action

# What the person did at the step, for a forward action: the key into the sentences below.
COMPLETED, INITIALLED, SIGNED = "completed", "initialled", "signed"

# Whole sentences, one per outcome, so that each language words them as it needs.
HANDED_ON = {
    COMPLETED: gettext_lazy("Step %(done)s completed; handed on to step %(number)s · %(actor)s."),
    INITIALLED: gettext_lazy(
        "Approved and initialled (paraf) at step %(done)s; handed on to step %(number)s · %(actor)s."
    ),
    SIGNED: gettext_lazy("Signed at step %(done)s; handed on to step %(number)s · %(actor)s."),
}
FINISHED = {
    COMPLETED: gettext_lazy("Step %(done)s completed: the document is finished."),
    INITIALLED: gettext_lazy("Approved and initialled (paraf) at step %(done)s: the document is finished."),
    SIGNED: gettext_lazy("Signed at step %(done)s: the document is finished."),
}


@dataclass(frozen=True)
class ActionMessage:
    level: int
    text: str

    def send(self, request) -> None:
        messages.add_message(request, self.level, self.text)


def _forward_kind(action: str, step: Step) -> str:
    if step.is_signature:
        return SIGNED
    return INITIALLED if action == Action.APPROVE else COMPLETED


def _where(step: Step) -> dict[str, object]:
    return {"number": step.number, "actor": step.actor.name}


def transition_message(*, action: str, step: Step, document: Document) -> ActionMessage:
    """The message for ``action`` taken at ``step``; ``document`` is the document after the change."""
    if document.status == Document.Status.CANCELLED:
        return ActionMessage(messages.INFO, _("Document cancelled at step %(done)s.") % {"done": step.number})
    if action == Action.RETURN:
        text = _("Returned to step %(number)s · %(actor)s for correction.") % _where(document.current_step)
        return ActionMessage(messages.INFO, text)
    kind = _forward_kind(action, step)
    if document.status == Document.Status.FINISHED:
        text = FINISHED[kind] % {"done": step.number}
    else:
        text = HANDED_ON[kind] % {"done": step.number, **_where(document.current_step)}
    # The nomor naskah, given at signing (once the register exists), is what the office writes down.
    number = getattr(document, "number", "")
    if kind == SIGNED and number:
        # Not inside an f-string: xgettext would not see the message there.
        text += " " + _("Document number: %(number)s.") % {"number": number}
    return ActionMessage(messages.SUCCESS, text)


def start_message(document: Document) -> ActionMessage:
    return ActionMessage(
        messages.SUCCESS,
        _("Document started. It is now at step %(number)s · %(actor)s.") % _where(document.current_step),
    )
