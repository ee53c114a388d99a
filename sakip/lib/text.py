"""Plain-text helpers for what people type: is there anything to read, and one clean line of it."""

import re
import unicodedata

# Letters that are drawn as nothing at all: Hangul fillers and the blank Braille cell pass as
# letters or symbols, yet a reason made of them says nothing.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Categories that carry something to read: letters, digits, punctuation and symbols.
_VISIBLE_CATEGORIES = ("L", "N", "P", "S")
_SPACES = re.compile(r" {2,}")


def has_text(value: str | None) -> bool:
    """True when ``value`` has at least one visible character.

    Whitespace of every kind, format characters (category Cf: zero-width space, joiners,
    direction marks), control characters, lone combining marks and blank-looking letters
    do not count: a "reason" made only of them gives no reason.
    """
    if not value:
        return False
    return any(unicodedata.category(char)[0] in _VISIBLE_CATEGORIES and char not in _BLANK_LOOKING for char in value)


def one_line(value: str | None, *, max_length: int | None = None) -> str:
    """``value`` as a single line: every line break, tab or other space becomes one space, control
    and format characters go, and a text longer than ``max_length`` ends with "…".

    For mail subjects and other headers, where a line break is an error or an injection.
    """
    if not value:
        return ""
    chars = []
    for char in value:
        category = unicodedata.category(char)
        if char.isspace() or category in ("Zs", "Zl", "Zp", "Cc"):
            chars.append(" ")
        elif category in ("Cf", "Cs", "Co", "Cn"):
            # Invisible (or unencodable) characters: a bidirectional override here would
            # make the line read differently from what it holds.
            continue
        else:
            chars.append(char)
    line = _SPACES.sub(" ", "".join(chars)).strip()
    if max_length is not None and len(line) > max_length:
        line = line[: max_length - 1].rstrip() + "…"
    return line
