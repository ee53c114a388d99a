"""A document's canonical content and its SHA-256: what a reviewer approved and a signer signs.

The workflow knows no content of its own beyond the title and year; content apps (the measurement)
register a function that returns their part as plain JSON data. The digest is taken over the
canonical JSON of all parts, so the same content always gives the same digest, on every database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

# name → function(document) returning JSON-ready data (str, int, bool, None, lists, dicts), or None
# when that app has nothing for this document. Decimals must be passed as strings.
_PARTS: dict[str, Callable[[object], object]] = {}


# function(document) returning why the document's content cannot be approved now ("" when it can):
# a content app's own rule, such as an agreement changed after the document started.
_APPROVAL_CHECKS: list[Callable[[object], str]] = []


def register_content(name: str, part: Callable[[object], object]) -> None:
    _PARTS[name] = part


def register_approval_check(check: Callable[[object], str]) -> None:
    _APPROVAL_CHECKS.append(check)


def approval_blockers(document) -> list[str]:
    """Why the content apps refuse an approval of ``document`` now; empty when none does."""
    return [reason for check in _APPROVAL_CHECKS if (reason := check(document))]


def canonical_content(document) -> dict:
    content = {"title": document.title, "year": document.year, "sop": document.sop_id}
    for name, part in sorted(_PARTS.items()):
        data = part(document)
        if data is not None:
            content[name] = data
    return content


def canonical_bytes(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_digest(document) -> str:
    """SHA-256 (hex) of the document's canonical content as it stands in the database now."""
    return hashlib.sha256(canonical_bytes(canonical_content(document))).hexdigest()
