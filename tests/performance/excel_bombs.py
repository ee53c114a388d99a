"""Excel files made to exhaust a reader's memory or time, each a few kilobytes on disk.

    workbook(realisation=[(kode, 85, "Dukungan", "")], budget=[(kode, 1000)])   # a small honest workbook
    BOMBS["cells"](realisation=..., budget=...)                                   # the same, with one trap

Every file is built with zipfile from small strings: a part that unpacks to tens of megabytes is
written piece by piece, so neither the test nor the benchmark (bench/excel_bombs.py) holds it whole.
Each trap sits in a workbook that is otherwise the template of the measurement, so a reader that
gets past the trap would save it: a refusal is the trap's doing. The four files of issue 8 keep
their counts with the fewest bytes per element, so that each part stays under the reader's limit
on a part's size and the reader's counting is what must stop them.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

REALISATION_HEADER = (
    "No",
    "Kode",
    "Sasaran Strategis",
    "Indikator Kinerja",
    "Satuan",
    "Target",
    "Realisasi",
    "Faktor Pendukung",
    "Faktor Penghambat",
)
BUDGET_HEADER = ("No", "Kode", "Program", "Pagu", "Realisasi Anggaran")
CHUNK = 1 << 20  # how much of a repeated part is written at a time


@dataclass(frozen=True)
class Repeat:
    """A part written as head + piece × count + tail, without ever holding it whole."""

    head: str
    piece: str
    count: int
    tail: str

    def write(self, stream) -> None:
        stream.write(self.head.encode())
        piece = self.piece.encode()
        per_chunk = max(1, CHUNK // len(piece))
        left = self.count
        while left:
            n = min(left, per_chunk)
            stream.write(piece * n)
            left -= n
        stream.write(self.tail.encode())


@dataclass(frozen=True)
class Chunks:
    """A part written from pieces made one after the other."""

    pieces: Callable[[], Iterable[str]]

    def write(self, stream) -> None:
        for piece in self.pieces():
            stream.write(piece.encode())


@dataclass(frozen=True)
class Formula:
    """A formula cell; ``cached`` is the value Excel computed, None when the file was never calculated.

    ``kind`` "str" marks a formula whose result is a text, as Excel writes it (t="str").
    """

    text: str
    cached: object = None
    kind: str = ""


def _column(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Strings:
    """The shared-string table, as Excel writes one: every text once, cells refer to it by index."""

    def __init__(self):
        self.index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        return self.index.setdefault(text, len(self.index))

    def part(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in self.index)
        return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}">{items}</sst>'


def _cell(ref: str, value, strings: _Strings) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{escape(str(value.cached))}</v>"
        kind = f' t="{value.kind}"' if value.kind else ""
        return f"<c r={quoteattr(ref)}{kind}><f>{escape(value.text)}</f>{cached}</c>"
    if isinstance(value, str):
        return f'<c r={quoteattr(ref)} t="s"><v>{strings(value)}</v></c>'
    return f"<c r={quoteattr(ref)}><v>{value}</v></c>"


def _rows(header: Sequence[str], rows: Iterable[Sequence], strings: _Strings) -> str:
    lines = [
        f'<row r="1"><c r="A1" t="s"><v>{strings("Pengukuran Kinerja")}</v></c></row>',
        f'<row r="3">{"".join(_cell(f"{_column(i)}3", h, strings) for i, h in enumerate(header, 1))}</row>',
    ]
    for number, row in enumerate(rows, start=4):
        cells = "".join(_cell(f"{_column(i)}{number}", v, strings) for i, v in enumerate(row, 1))
        lines.append(f'<row r="{number}">{cells}</row>')
    return "".join(lines)


def _sheet(data: str, extra: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}"><sheetData>{data}{extra}</sheetData></worksheet>'
    )


def realisation_rows(codes: Sequence[int], values: Sequence | None = None) -> list[tuple]:
    """Template rows: Kode in column B, the realisation in G, the two texts in H and I."""
    values = values or [50 + n for n in range(len(codes))]
    return [
        (n, code, "Sasaran", "Indikator", "%", 80, value, "", "")
        for n, (code, value) in enumerate(zip(codes, values, strict=True), 1)
    ]


def budget_rows(codes: Sequence[int]) -> list[tuple]:
    return [(n, code, "Program", 100_000_000, 1_000_000 * n) for n, code in enumerate(codes, 1)]


STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)
CONTENT_TYPE_ENTRIES = (
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
    f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{SHEET_TYPE}"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
CONTENT_TYPES_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{TYPES}">'


def parts(
    realisation: Sequence[Sequence] = (),
    budget: Sequence[Sequence] = (),
    *,
    realisation_extra: str = "",
) -> dict[str, str | Repeat]:
    """The parts of a workbook as Excel saves one: shared strings, styles, two sheets."""
    strings = _Strings()
    sheet1 = _sheet(_rows(REALISATION_HEADER, realisation, strings), realisation_extra)
    sheet2 = _sheet(_rows(BUDGET_HEADER, budget, strings))
    return {
        "[Content_Types].xml": CONTENT_TYPES_HEAD + CONTENT_TYPE_ENTRIES + "</Types>",
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><workbookPr/><sheets>'
            '<sheet name="Realisasi" sheetId="1" r:id="rId1"/><sheet name="Anggaran" sheetId="2" r:id="rId2"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC_RELS}/worksheet" Target="/xl/worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId3" Type="{DOC_RELS}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId4" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": strings.part(),
        "xl/worksheets/sheet1.xml": sheet1,
        "xl/worksheets/sheet2.xml": sheet2,
    }


def pack(members: dict[str, str | bytes | Repeat | Chunks]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if isinstance(data, Repeat | Chunks):
                with archive.open(name, "w") as stream:
                    data.write(stream)
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


def workbook(realisation: Sequence[Sequence] = (), budget: Sequence[Sequence] = (), **changes) -> bytes:
    """An honest workbook, with ``changes`` replacing whole parts by name."""
    return pack({**parts(realisation, budget), **changes})


# ---------------------------------------------------------------------------------------------
# The traps. Each takes the rows of an honest workbook and returns the file's bytes.


def one_row_of_cells(realisation, budget, *, count: int = 2_200_000) -> bytes:
    """Issue 8: a row of 2.2 million cells (124 KB on disk) took a worker to 1.6 GB."""
    row = Repeat(f'<row r="{4 + len(realisation)}">', "<c/>", count, "</row>")
    members = parts(realisation, budget)
    head, tail = members["xl/worksheets/sheet1.xml"].split("</sheetData>")
    members["xl/worksheets/sheet1.xml"] = Repeat(
        head + row.head, row.piece, row.count, row.tail + "</sheetData>" + tail
    )
    return pack(members)


def content_types(realisation, budget, *, count: int = 390_000) -> bytes:
    """Issue 8: a million <Default> entries in [Content_Types].xml (0.8 GB).

    390 000 here: as many entries as openpyxl accepts (with both attributes) fit in one part of 16 MiB.
    """
    entries = Repeat(
        CONTENT_TYPES_HEAD + CONTENT_TYPE_ENTRIES, '<Default Extension="x" ContentType="a/b"/>', count, "</Types>"
    )
    return workbook(realisation, budget, **{"[Content_Types].xml": entries})


def cell_formats(realisation, budget, *, count: int = 780_000) -> bytes:
    """Issue 8: 780 000 <xf> in styles.xml (0.66 GB)."""
    head, tail = STYLES.split("</cellXfs>")
    return workbook(realisation, budget, **{"xl/styles.xml": Repeat(head, "<xf/>", count, "</cellXfs>" + tail)})


def shared_strings(realisation, budget, *, count: int = 2_650_000) -> bytes:
    """Issue 8: 2.65 million shared strings (0.46 GB)."""
    head, tail = parts(realisation, budget)["xl/sharedStrings.xml"].split("</sst>")
    return workbook(realisation, budget, **{"xl/sharedStrings.xml": Repeat(head, "<si/>", count, "</sst>" + tail)})


def many_elements(realisation, budget, *, count: int = 3_000_000) -> bytes:
    """Three million empty elements that mean nothing: each costs a parser's callback, and a tree's node."""
    head, tail = parts(realisation, budget)["xl/sharedStrings.xml"].split("</sst>")
    return workbook(realisation, budget, **{"xl/sharedStrings.xml": Repeat(head, "<a/>", count, "</sst>" + tail)})


def long_text(realisation, budget, *, chars: int = 40_000_000) -> bytes:
    """Issue 8: 40 MB of "faktor pendukung" in one cell ended up on a page."""
    first = list(realisation[0])
    first[7] = "FAKTOR"
    members = parts([first, *realisation[1:]], budget)
    head, tail = members["xl/sharedStrings.xml"].split(">FAKTOR<")
    members["xl/sharedStrings.xml"] = Repeat(head + ">", "faktor pendukung ", chars // 17, "<" + tail)
    return pack(members)


def deep_nesting(realisation, budget, *, depth: int = 1_500_000) -> bytes:
    """Elements inside each other, 1.5 million deep: a parser keeps every open one on its stack."""
    head, tail = parts(realisation, budget)["xl/sharedStrings.xml"].split("</sst>")
    nested = Chunks(lambda: [head, "<a>" * depth, "</a>" * depth, "</sst>", tail])
    return workbook(realisation, budget, **{"xl/sharedStrings.xml": nested})


def long_comment(realisation, budget, *, size: int = 15_000_000) -> bytes:
    """A comment of 15 MB with "<" inside: expat holds it whole, and before 2.6 scans it again per chunk."""
    head, tail = parts(realisation, budget)["xl/sharedStrings.xml"].split("</sst>")
    comment = Repeat(head + "<!--", "x" * 99 + "<", size // 100, "-->" + "</sst>" + tail)
    return workbook(realisation, budget, **{"xl/sharedStrings.xml": comment})


def many_attributes(realisation, budget, *, count: int = 400_000) -> bytes:
    """One start tag with 400 000 attributes: a parser builds it whole before anyone sees it."""
    head, tail = parts(realisation, budget)["xl/sharedStrings.xml"].split(f'<sst xmlns="{MAIN}">')
    # Attribute names must differ, so the tag is written in numbered slices rather than repeated.
    slices = (
        "".join(f" a{n:07d}=''" for n in range(start, min(start + 10_000, count))) for start in range(0, count, 10_000)
    )
    tag = Chunks(lambda: [head, f'<sst xmlns="{MAIN}"', *slices, ">", tail])
    return workbook(realisation, budget, **{"xl/sharedStrings.xml": tag})


def entity_expansion(realisation, budget) -> bytes:
    """The billion laughs: a few hundred bytes of entity declarations that expand to gigabytes."""
    doctype = '<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9)
    )
    data = f'<?xml version="1.0"?>\n{doctype}]><sst xmlns="{MAIN}"><si><t>&j;</t></si></sst>'
    return workbook(realisation, budget, **{"xl/sharedStrings.xml": data})


def lying_size(realisation, budget, *, size: int = 40_000_000) -> bytes:
    """A part whose zip entry declares 1 KB while it unpacks to 40 MB."""
    name = "xl/sharedStrings.xml"
    data = workbook(realisation, budget, **{name: Repeat(f'<sst xmlns="{MAIN}">', " ", size, "</sst>")})
    return declare_size(data, name, 1024)


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size a member declares, in its local header and the central directory."""
    data = bytearray(data)
    encoded = name.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30 : local + 30 + name_length]) == encoded:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def many_members(realisation, budget, *, count: int = 48_000) -> bytes:
    """Tens of thousands of empty members: zipfile reads its whole table of contents on opening."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts(realisation, budget).items():
            archive.writestr(name, data)
        for n in range(count):
            archive.writestr(f"{n:05d}", b"")
    return buffer.getvalue()


BOMBS: dict[str, Callable[[Sequence, Sequence], bytes]] = {
    "cells": one_row_of_cells,
    "content-types": content_types,
    "cell-formats": cell_formats,
    "shared-strings": shared_strings,
    "many-elements": many_elements,
    "long-text": long_text,
    "deep-nesting": deep_nesting,
    "long-comment": long_comment,
    "many-attributes": many_attributes,
    "entity-expansion": entity_expansion,
    "lying-size": lying_size,
    "many-members": many_members,
}
