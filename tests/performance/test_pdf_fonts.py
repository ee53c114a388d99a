"""The PDFs use only the fonts shipped in static/fonts, so the same paper comes out on every machine.

Which fonts a machine has installed must not move a line break: the SOP sheet once failed its own test on a
machine without Liberation Sans. Each PDF is rendered here as the server renders it, then again in a fresh
process whose fontconfig knows the shipped fonts alone (or no font at all), and the two must be the same.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from sakip.lib import pdf as pdf_module
from sakip.performance.models import Indicator
from sakip.sops.models import Step
from sakip.workflow.models import Signature
from sakip.workflow.services import document_transition
from tests.conftest import advance, make_people, start_document
from tests.performance.factories import make_agreement

STATIC = settings.BASE_DIR / "static"
FONTS = STATIC / "fonts"
FAMILY = "Sakip Liberation Sans"
PDF_STYLESHEETS = sorted((STATIC / "css").glob("*pdf*.css"))
PDF_TEMPLATES = [
    settings.BASE_DIR / "templates" / "sops" / "sheet_pdf.html",
    *sorted((settings.BASE_DIR / "templates" / "performance" / "pdf").glob("*.html")),
]
# Indonesian text, and the signs the office's papers print: a range, a bound, a change, a list, an ellipsis.
PRINTED = "Kabupaten Lamongan: capaian ≥ 100 %, ≤ 5 hari; Januari–Desember; 1.234,56 → 2.345,67 · dst…"


# --- what the stylesheets and templates ask for ------------------------------------------------------


def declared_families(text: str) -> list[str]:
    """Every font family list in CSS or SVG markup: font-family properties and attributes, font shorthands."""
    lists = re.findall(r"font-family\s*:\s*([^;}]+)", text) + re.findall(r"font-family\s*=\s*\"([^\"]*)\"", text)
    for shorthand in re.findall(r"(?<![-\w])font\s*:\s*([^;}]+)", text):
        # "bold 8pt/1.2 Family, other": the families follow the size.
        lists.append(re.split(r"\d[\d.]*(?:pt|px|mm|em|rem|%)(?:/[\d.]+\w*)?\s+", shorthand, maxsplit=1)[-1])
    return [family.strip().strip("'\"") for found in lists for family in found.split(",")]


@pytest.mark.parametrize("path", PDF_STYLESHEETS + PDF_TEMPLATES, ids=lambda path: path.name)
def test_it_asks_only_for_the_shipped_family(path):
    families = declared_families(path.read_text(encoding="utf-8"))
    # No generic fallback either: "sans-serif" is whatever the machine has.
    assert set(families) <= {FAMILY}, families


def font_faces() -> list[tuple[str, Path]]:
    """(family, file) of every @font-face the PDF stylesheets declare."""
    faces = []
    for css in PDF_STYLESHEETS:
        for rule in re.findall(r"@font-face\s*{([^}]*)}", css.read_text(encoding="utf-8")):
            family = re.search(r"font-family:\s*\"([^\"]+)\"", rule).group(1)
            url = re.search(r"src:\s*url\(\"([^\"]+)\"\)", rule).group(1)
            faces.append((family, (css.parent / url).resolve()))
    return faces


def test_it_declares_each_face_from_a_file_of_static_fonts():
    faces = font_faces()
    assert {family for family, _file in faces} == {FAMILY}
    files = {file for _family, file in faces}
    assert files == set(FONTS.glob("*.ttf")), "every shipped face is used, every used face is shipped"
    assert len(files) == 3  # regular, bold, italic


def test_it_ships_the_fonts_with_their_licence():
    licence = (FONTS / "LICENSE").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    for file in FONTS.glob("*.ttf"):
        name = TTFont(file)["name"]
        assert "Open Font License" in name.getDebugName(13), file.name
        for holder in name.getDebugName(0).splitlines():  # the copyright notice the font itself carries
            assert holder.strip().rstrip(".") in licence, file.name


@pytest.mark.parametrize("file", sorted(FONTS.glob("*.ttf")), ids=lambda path: path.name)
def test_it_ships_faces_that_hold_every_sign_the_papers_print(file):
    characters = TTFont(file).getBestCmap()
    assert [c for c in PRINTED if ord(c) not in characters] == []


# --- the PDFs ---------------------------------------------------------------------------------------


def rendered(monkeypatch, make) -> tuple[str, bytes]:
    """The HTML given to weasyprint and the PDF that came out, when ``make()`` makes a PDF as the server does."""
    seen = []
    real = pdf_module.pdf_from_html

    def keep(html: str) -> bytes:
        seen.append(html)
        return real(html)

    monkeypatch.setattr(pdf_module, "pdf_from_html", keep)
    data = make()
    [html] = seen
    return html, data


def sheet_pdf(staff_client, default_sop) -> bytes:
    Step.objects.filter(sop=default_sop, number=2).update(activity=PRINTED)
    response = staff_client.get(f"/sop/{default_sop.slug}/pdf/")
    assert response.status_code == 200
    return response.content


def signed_measurement_pdf(default_sop) -> bytes:
    make_agreement(year=2030, objectives=2, indicators_per_objective=3)
    Indicator.objects.filter(objective__agreement__year=2030, position=1).update(name=PRINTED)
    people = make_people(default_sop)
    document = start_document(sop=default_sop, title="PK 2030", year=2030, by=people["Sekretaris"])
    document = advance(document, people, 6)
    signer = people[document.current_step.actor.name]
    document_transition(document=document, action="approve", by=signer, requirements_confirmed=True)
    return Signature.objects.get(document=document).pdf.read()


@pytest.fixture(params=["sheet", "measurement"])
def paper(request, monkeypatch, staff_client, default_sop) -> tuple[str, bytes]:
    if request.param == "sheet":
        return rendered(monkeypatch, lambda: sheet_pdf(staff_client, default_sop))
    return rendered(monkeypatch, lambda: signed_measurement_pdf(default_sop))


def resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def font_descriptors(reader: PdfReader) -> list[DictionaryObject]:
    """Every font descriptor the PDF holds, pages and drawings (form XObjects) alike."""
    found, seen, todo = [], set(), [reader.trailer["/Root"]]
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if item.get("/Type") == NameObject("/FontDescriptor"):
                found.append(item)
            todo.extend(value for key, value in item.items() if key != "/Parent")
        elif isinstance(item, ArrayObject):
            todo.extend(item)
    return found


def shipped_faces() -> dict[str, TTFont]:
    """The shipped faces by their PostScript name."""
    faces = {}
    for file in FONTS.glob("*.ttf"):
        font = TTFont(file)
        faces[font["name"].getDebugName(6)] = font
    return faces


def test_it_embeds_only_the_shipped_fonts(paper):
    _html, data = paper
    descriptors = font_descriptors(PdfReader(io.BytesIO(data)))
    assert descriptors
    shipped = shipped_faces()
    embedded = set()
    for descriptor in descriptors:
        # "ABCDEF+Sakip-Liberation-Sans-Bold": a subset of the family the stylesheet declared, not a system font.
        name = str(descriptor["/FontName"]).lstrip("/").split("+", 1)[-1]
        assert name.startswith(FAMILY.replace(" ", "-")), name
        # And its glyphs come from a shipped file, not from an installed font of the same name.
        font = TTFont(io.BytesIO(resolved(descriptor["/FontFile2"]).get_data()))
        original = shipped[font["name"].getDebugName(6)]
        assert font["head"].fontRevision == original["head"].fontRevision
        assert font["name"].getDebugName(5) == original["name"].getDebugName(5)
        embedded.add(name)
    assert len(embedded) >= 2, embedded  # regular and bold at least


def fontconfig_file(folder: Path, *font_dirs: Path) -> Path:
    """A fontconfig configuration that knows the fonts of ``font_dirs`` and nothing else."""
    (folder / "cache").mkdir(parents=True)
    dirs = "".join(f"<dir>{font_dir}</dir>" for font_dir in font_dirs)
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig>{dirs}<cachedir>{folder / 'cache'}</cachedir></fontconfig>"
    )
    return config


def render_in_a_fresh_process(html: str, fontconfig: Path) -> bytes:
    """weasyprint reads fontconfig's configuration once, when it loads: hence a process of its own."""
    code = (
        "import sys, django; django.setup(); from sakip.lib.pdf import pdf_from_html; "
        "sys.stdout.buffer.write(pdf_from_html(sys.stdin.read()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=html.encode(),
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "sakip.settings", "FONTCONFIG_FILE": str(fontconfig)},
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def layout(data: bytes) -> list[str]:
    """The text of each page, line by line, as the PDF places it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("fonts", ["shipped fonts alone", "no font at all"])
def test_it_comes_out_the_same_whatever_fonts_the_machine_has(paper, fonts, tmp_path):
    html, data = paper
    font_dirs = [FONTS] if fonts == "shipped fonts alone" else []
    elsewhere = render_in_a_fresh_process(html, fontconfig_file(tmp_path, *font_dirs))
    assert layout(elsewhere) == layout(data)
    assert elsewhere == data
