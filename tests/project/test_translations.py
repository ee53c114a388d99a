"""Every string a person reads has an Indonesian translation, and the committed .mo matches the .po."""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PO = settings.BASE_DIR / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: enough for msgctxt, msgid, msgid_plural, msgstr[n] and flags."""
    entries, entry, key = [], {}, None

    def flush():
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            key = None
        elif line.startswith("#,"):
            entry["flags"] = {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    flush()
    return [e for e in entries if e["msgid"]]  # drop the header


def untranslated(entries: list[dict]) -> list[str]:
    missing = []
    for e in entries:
        strs = [v for k, v in e.items() if k.startswith("msgstr")]
        if "fuzzy" in e.get("flags", set()) or not all(strs):
            missing.append(e["msgid"])
    return missing


def test_it_has_an_indonesian_translation_for_every_entry_of_the_catalogue():
    entries = parse_po(PO)
    assert len(entries) > 50
    assert untranslated(entries) == []


def test_it_ships_a_compiled_catalogue_matching_the_po_file():
    with MO.open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    for e in parse_po(PO):
        msgid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            assert catalogue.ngettext(msgid, e["msgid_plural"], 1) == e["msgstr[0]"], msgid
        else:
            assert catalogue.gettext(msgid) == e["msgstr"], f"{msgid!r}: run `make messages`"


def test_it_has_every_string_of_the_code_in_the_catalogue(tmp_path):
    """Extract the strings afresh (as `make messages` does) and find any without a translation."""
    # makemessages runs all of these; a machine may have some of gettext's tools and not the others.
    missing = [tool for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not found (apt-get install gettext); CI installs it")
    for name in ("manage.py", "sakip", "templates", "locale"):
        source = settings.BASE_DIR / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-location", "--no-obsolete"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    missing = untranslated(parse_po(tmp_path / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    assert missing == [], "Untranslated strings (add them to the .po, then `make messages`)"
