"""Mail as sakip writes it: one clean subject line, and real addresses only."""

from collections.abc import Iterable

from sakip.lib.text import one_line

# Long enough for any document title the office uses; mail clients cut earlier anyway.
SUBJECT_MAX_LENGTH = 150


def clean_subject(subject: str) -> str:
    """``subject`` as one line of at most SUBJECT_MAX_LENGTH characters.

    A line break in a subject is refused by Django (BadHeaderError) or, written raw, is a header
    injection; a document title may hold one, and it ends up in the subject.
    """
    return one_line(subject, max_length=SUBJECT_MAX_LENGTH)


def clean_recipients(recipients: Iterable[str]) -> list[str]:
    """The addresses of ``recipients`` that are there, each once, in their order."""
    seen: dict[str, None] = {}
    for address in recipients:
        address = (address or "").strip()
        if address:
            seen.setdefault(address, None)
    return list(seen)
