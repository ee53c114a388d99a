"""Documents a new one would duplicate: the same SOP (any revision) and year, running or finished."""

from __future__ import annotations

from dataclasses import dataclass

from sakip.sops.models import Sop
from sakip.workflow.models import Document

# Shown on the start page; beyond these the page links to the list.
SHOWN = 5


@dataclass(frozen=True)
class Twins:
    year: int
    documents: list[Document]  # the oldest first, at most SHOWN
    more: bool  # there are more than SHOWN

    def __bool__(self) -> bool:
        return bool(self.documents)


def twins_of(sop: Sop, year: int) -> Twins:
    """Running and finished documents of ``sop``'s SOP for ``year``, in one query; cancelled ones do not count.

    A document has no period of its own beyond its year, so the year is the period. Every revision of
    the SOP counts: a new revision is the same procedure.
    """
    found = list(
        Document.objects.filter(
            sop__in=Sop.objects.filter(slug=sop.slug).values("pk"),
            year=year,
            status__in=(Document.Status.ACTIVE, Document.Status.FINISHED),
        )
        .select_related("current_step__actor")
        .order_by("created_at", "pk")[: SHOWN + 1]
    )
    return Twins(year=year, documents=found[:SHOWN], more=len(found) > SHOWN)
