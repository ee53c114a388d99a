"""A document's history as a hash chain: the one way to append an entry, and the check that none was changed.

Each entry's ``hash`` is the SHA-256 of a canonical JSON of its own fields together with ``prev_hash``,
the hash of the document's previous entry (GENESIS for the first). Entries are chained in the order they
were written (their primary key): changing a field of an entry breaks its own hash, removing one breaks
its successor's ``prev_hash``. The database refuses both anyway (sakip.workflow.records); the chain shows
whether someone went around that guard.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef, Subquery

from sakip.accounts.models import ActingAssignment
from sakip.sops.models import Step
from sakip.workflow.content import content_digest
from sakip.workflow.models import Document, HistoryEntry

GENESIS = "0" * 64

# The order of a chain: the order of writing. step_ended_at is the clock of whichever process wrote the
# entry and may step back; the primary key of one document's entries cannot (they are written one at a
# time, see history_append).
CHAIN_ORDER = ("pk",)

# Bumped if the serialisation below ever changes; entries hashed under another format would need it.
FORMAT = 1


def _utc(value: datetime) -> str:
    # Microseconds always written: what SQLite (text) and PostgreSQL (timestamptz) give back is exactly this.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_fields(entry, *, step_number: int) -> dict:
    """The fields of an entry that its hash covers, as plain JSON data.

    Reads only attributes, so that the data migration can pass its historical models.
    """
    return {
        "format": FORMAT,
        "document": entry.document_id,
        "action": entry.action,
        "step": entry.step_id,
        "step_number": step_number,
        "actor": entry.actor_id,
        "by": entry.by_id,
        "by_name": entry.by_name,
        "by_jabatan": entry.by_jabatan,
        "reason": entry.reason,
        "note": entry.note,
        "to_step": entry.to_step_id,
        "step_started_at": _utc(entry.step_started_at),
        "step_ended_at": _utc(entry.step_ended_at),
        "standard_duration": entry.standard_duration,
        "standard_unit": entry.standard_unit,
        "content_sha256": entry.content_sha256,
    }


def entry_hash(entry, *, step_number: int, prev_hash: str) -> str:
    fields = {**entry_fields(entry, step_number=step_number), "prev_hash": prev_hash}
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def history_append(*, document: Document, by, step, actor=None, **fields) -> HistoryEntry:
    """Write the next entry of ``document``'s history, chained to the previous one.

    Freezes the person's name and position as they are now and the digest of the document's content.
    Call it inside the transaction that has just claimed the document with the conditional UPDATE on its
    version: that row stays locked (PostgreSQL) or the database stays write-locked (SQLite) until the
    commit, so no other entry of this document can be written between reading the previous hash and
    inserting this one. The unique (document, prev_hash) constraint refuses a fork should that ever fail.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("history_append must run inside the transaction that claimed the document.")
    name, jabatan, prev_hash = _person_and_previous_hash(document, by, actor)
    entry = HistoryEntry(
        document=document,
        by=by,
        step=step,
        actor=actor,
        by_name=name,
        by_jabatan=jabatan,
        content_sha256=content_digest(document),
        prev_hash=prev_hash,
        **fields,
    )
    entry.hash = entry_hash(entry, step_number=step.number, prev_hash=prev_hash)
    entry.save(force_insert=True)
    return entry


def _person_and_previous_hash(document: Document, by, actor) -> tuple[str, str, str]:
    """The person's name and jabatan, and the hash of the document's latest entry, in one query.

    The jabatan is the acting one (with its Plt./Plh. prefix) when the person holds the actor's role
    only by an acting assignment, as ``sakip.accounts.roles.acting_assignment`` decides; otherwise it
    is the one in their profile.
    """
    User = get_user_model()
    latest = HistoryEntry.objects.filter(document=document).order_by(*(f"-{f}" for f in CHAIN_ORDER))
    row = User.objects.filter(pk=by.pk).annotate(
        previous=Subquery(latest.values("hash")[:1]),
    )
    columns = ["profile__jabatan", "previous"]
    if actor is not None:
        acting = (
            ActingAssignment.objects.active()
            .filter(person=OuterRef("pk"), role=actor.group_id)
            .order_by("-starts_on", "-pk")  # total, so that both subqueries read the same assignment
        )
        row = row.annotate(
            member=Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group=actor.group_id)),
            acting_prefix=Subquery(acting.values("prefix")[:1]),
            acting_jabatan=Subquery(acting.values("jabatan")[:1]),
        )
        columns += ["member", "acting_prefix", "acting_jabatan"]
    values = dict(zip(columns, row.values_list(*columns).get(), strict=True))
    if actor is not None and not values["member"] and values["acting_jabatan"]:
        jabatan = f"{values['acting_prefix']} {values['acting_jabatan']}".strip()
    else:
        jabatan = values["profile__jabatan"] or ""
    name = by.get_full_name() or by.get_username()
    return name, jabatan, values["previous"] or GENESIS


@dataclass(frozen=True)
class Break:
    """The first link of a document's chain that does not hold."""

    document_id: int
    entry_id: int | None
    problem: str  # "prev_hash mismatch", "hash mismatch", "entry count mismatch" or "no entries"
    expected: str = ""
    found: str = ""


def chain_breaks() -> Iterator[tuple[int, int, Break | None]]:
    """For every document: (document id, number of entries, its first broken link or None).

    Besides the links, the count: every write path claims the document by raising its version and
    appends exactly one entry in the same transaction (the start writes the first at version 0), so a
    document at version v has v + 1 entries. Fewer means entries were cut off the end of the chain,
    which the links alone cannot show.
    """
    step_numbers = dict(Step.objects.values_list("pk", "number"))
    entries = HistoryEntry.objects.order_by("document_id", *CHAIN_ORDER).iterator(chunk_size=2000)
    current = next(entries, None)
    for document_id, version in list(Document.objects.order_by("pk").values_list("pk", "version")):
        count, broken, expected_prev, last = 0, None, GENESIS, None
        while current is not None and current.document_id == document_id:
            count += 1
            if broken is None:
                broken = _check(current, step_numbers, expected_prev)
                expected_prev = current.hash
            last, current = current, next(entries, None)
        if last is None:
            broken = Break(document_id, None, "no entries")
        elif broken is None and count != version + 1:
            broken = Break(document_id, last.pk, "entry count mismatch", f"{version + 1} entries", f"{count}")
        yield document_id, count, broken


def _check(entry: HistoryEntry, step_numbers: dict[int, int], expected_prev: str) -> Break | None:
    if entry.prev_hash != expected_prev:
        return Break(entry.document_id, entry.pk, "prev_hash mismatch", expected_prev, entry.prev_hash)
    computed = entry_hash(entry, step_number=step_numbers.get(entry.step_id), prev_hash=entry.prev_hash)
    if entry.hash != computed:
        return Break(entry.document_id, entry.pk, "hash mismatch", computed, entry.hash)
    return None
