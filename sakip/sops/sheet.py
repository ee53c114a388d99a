"""The layout of the official SOP sheet: which column each step's symbol sits in."""

from dataclasses import dataclass

from sakip.sops.models import Actor, Sop, Step


@dataclass(frozen=True)
class SheetRow:
    step: Step
    column: int  # 0-based index of the actor's column


@dataclass(frozen=True)
class Sheet:
    actors: list[Actor]
    rows: list[SheetRow]


def build_sheet(sop: Sop) -> Sheet:
    actors = list(sop.actors.order_by("position"))
    index = {actor.pk: i for i, actor in enumerate(actors)}
    rows = [SheetRow(step=step, column=index[step.actor_id]) for step in sop.ordered_steps()]
    return Sheet(actors=actors, rows=rows)
