"""The register (buku agenda): the nomor naskah each signed document gets, from a yearly counter.

A number is taken inside the signing transaction, under the document's lock: the counter of the
year moves from the number read to the next one with a conditional UPDATE (the house idiom, which
works on SQLite and PostgreSQL alike). The PDF that prints the number is made before that
transaction, so the number is first *predicted* (the counter as read, plus one) and then taken; when
another signing took it meanwhile, nothing is kept and the signing starts again with the next
number. A number is therefore never given twice, and a signing that does not commit gives none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# {nomor:03}: zero padded to 1–9 digits.
NUMBER_FORMAT = re.compile(r"0[1-9]")
NAMES = ("nomor", "tahun", "bulan")
# The longest a sequence number can print when the pattern is checked against the field's length.
LONGEST_SEQUENCE = 999_999


def _parts(pattern: str) -> list[tuple[str, str]]:
    """(name, format) of each placeholder."""
    return [tuple(m.group(1).partition(":")[::2]) for m in PLACEHOLDER.finditer(pattern)]


def pattern_problems(pattern: str) -> list[str]:
    """Why ``pattern`` cannot number documents; empty when it can."""
    problems = []
    if "{" in PLACEHOLDER.sub("", pattern) or "}" in PLACEHOLDER.sub("", pattern):
        problems.append(_("Every { needs its }: write placeholders as {nomor}, {tahun} or {bulan}."))
    unknown = []
    for name, spec in _parts(pattern):
        if name not in NAMES:
            unknown.append("{" + (f"{name}:{spec}" if spec else name) + "}")
        elif spec and (name != "nomor" or not NUMBER_FORMAT.fullmatch(spec)):
            problems.append(
                _("{%(name)s:%(spec)s} is not a known format: only {nomor} can be padded, as in {nomor:03}.")
                % {"name": name, "spec": spec}
            )
    if unknown:
        problems.append(
            _("Unknown placeholder %(found)s: use {nomor}, {tahun} and {bulan}.") % {"found": ", ".join(unknown)}
        )
    names = [name for name, _spec in _parts(pattern)]
    if "nomor" not in names:
        problems.append(_("The pattern needs {nomor}, the document's number in the year."))
    elif names.count("nomor") > 1:
        problems.append(_("{nomor} can appear only once."))
    if not problems:
        from sakip.workflow.models import Document

        limit = Document._meta.get_field("number").max_length
        longest = format_number(pattern, sequence=LONGEST_SEQUENCE, on=date(9999, 8, 1))
        if len(longest) > limit:
            problems.append(
                _("The numbers this pattern makes can be longer than %(limit)s characters: shorten it.")
                % {"limit": limit}
            )
    return problems


def format_number(pattern: str, *, sequence: int, on: date) -> str:
    """The number of the ``sequence``-th document of the year, signed ``on``, written as ``pattern`` says."""

    def value(match: re.Match) -> str:
        name, _sep, spec = match.group(1).partition(":")
        if name == "nomor":
            return f"{sequence:{spec}}" if spec else str(sequence)
        if name == "tahun":
            return str(on.year)
        return ROMAN_MONTHS[on.month - 1]

    return PLACEHOLDER.sub(value, pattern)


@dataclass(frozen=True)
class Reservation:
    """The number a signing expects to get, read before its transaction."""

    year: int
    sequence: int
    number: str


class NumberTaken(Exception):
    """Another signing took the predicted number first: the signing must start again."""


def number_predict(at: datetime) -> Reservation:
    """The number the next document signed ``at`` gets, unless another signing is quicker."""
    from sakip.workflow.models import RegisterCounter, RegisterSettings

    on = timezone.localtime(at).date()
    last = RegisterCounter.objects.filter(year=on.year).values_list("last", flat=True).first() or 0
    sequence = last + 1
    return Reservation(
        year=on.year,
        sequence=sequence,
        number=format_number(RegisterSettings.current().pattern, sequence=sequence, on=on),
    )


def number_take(reservation: Reservation, *, document, at: datetime):
    """Take the predicted number for ``document``, inside the signing's transaction; NumberTaken if it is gone.

    The counter's conditional UPDATE waits, on PostgreSQL, for another signing's transaction holding the
    row, and then finds the counter moved on; on SQLite writers take turns. Either way one of two
    signings with the same prediction changes no row.
    """
    from sakip.workflow.models import Document, RegisterCounter, RegisterEntry

    if reservation.sequence == 1:
        try:
            with transaction.atomic():  # a savepoint: PostgreSQL can go on after the refused INSERT
                RegisterCounter.objects.create(year=reservation.year, last=1)
        except IntegrityError:
            raise NumberTaken from None
    else:
        moved = RegisterCounter.objects.filter(year=reservation.year, last=reservation.sequence - 1).update(
            last=reservation.sequence
        )
        if moved != 1:
            raise NumberTaken
    Document.objects.filter(pk=document.pk, number="").update(number=reservation.number)
    document.number = reservation.number
    return RegisterEntry.objects.create(
        year=reservation.year,
        sequence=reservation.sequence,
        number=reservation.number,
        document=document,
        registered_at=at,
    )
