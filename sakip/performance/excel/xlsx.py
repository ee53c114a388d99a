"""An uploaded .xlsx opened in bounded memory and time, whatever the file holds.

An .xlsx is a zip of XML parts, and an upload is untrusted. openpyxl, even read-only, parses the
content types, the styles and the shared strings whole, so a file of 100 KB could take a worker to
gigabytes (issue 8). This module streams only the parts it needs out of the archive through expat,
checks each part's size as declared and as it unpacks, counts what it meets while it streams, and
stops at the limits in layout.py with a message that says why (FileRefused). Of the sheets it keeps
only the cells of the template's columns and rows. openpyxl stays for writing; of it, only two
pure helpers are used here (which number formats are dates, and an Excel date's value).
"""

from __future__ import annotations

import posixpath
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.parsers import expat

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import builtin_format_code, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from sakip.performance.excel.layout import (
    BUDGET_SHEET,
    EXCEL_CELL_CHARS,
    HEADER_ROW,
    MAX_CELL_FORMATS,
    MAX_CELLS,
    MAX_CONTENT_TYPES,
    MAX_DATA_ROWS,
    MAX_DEPTH,
    MAX_DIRECTORY_BYTES,
    MAX_ELEMENTS,
    MAX_LIST_ELEMENTS,
    MAX_MARKUP_RUN,
    MAX_MEMBERS,
    MAX_NUMBER_FORMATS,
    MAX_PART_BYTES,
    MAX_SHARED_STRINGS,
    MAX_TEXT_BYTES,
    MAX_UNPACKED_BYTES,
    MAX_UPLOAD_BYTES,
    REALISATION_SHEET,
)


class FileRefused(Exception):
    """The upload cannot be read at all; the message says why."""


class _Uncomputed:
    """A formula cell whose file holds no computed value (made by a program that does not calculate)."""

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:
        return "UNCOMPUTED"


UNCOMPUTED = _Uncomputed()


@dataclass(frozen=True)
class DateValue:
    """A cell Excel shows as a date or time: never a number here, whatever serial it holds."""

    text: str

    def __str__(self) -> str:
        return self.text


def shown(value, limit: int = 40) -> str:
    """``value`` as text for a message, cut to ``limit`` characters."""
    text = str(value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def grouped(value: int) -> str:
    """A count for a message, its thousands grouped as the language groups them."""
    return number_format(value, force_grouping=True)


def _not_a_workbook() -> str:
    return _("The file is not an Excel workbook (.xlsx). Upload the template downloaded from this page.")


def _too_much(problem: str) -> FileRefused:
    # These limits are far above any filled template, so the file was made or changed by something else.
    return FileRefused(f"{problem} {_('Copy the values into the template downloaded from this page.')}")


# ---------------------------------------------------------------------------------------------
# The archive


CHUNK = 64 * 1024  # less than MAX_MARKUP_RUN, as _MarkupGuard needs
_END_OF_DIRECTORY = b"PK\x05\x06"
_END_RECORD = struct.Struct("<4s4H2LH")  # signature, disks, entries here, entries, size, offset, comment
_ZIP64 = 0xFFFF


def _check_directory(upload: UploadedFile) -> None:
    """Refuse an archive whose table of contents is too long before zipfile reads it whole.

    Finds the end record as zipfile does: at the very end, else the last one in the final 64 KiB.
    """
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(max(0, size - _END_RECORD.size - 0xFFFF))
    tail = upload.read()
    start = len(tail) - _END_RECORD.size
    if start < 0 or tail[start : start + 4] != _END_OF_DIRECTORY or tail[-2:] != b"\0\0":
        start = tail.rfind(_END_OF_DIRECTORY)
    if start < 0 or start + _END_RECORD.size > len(tail):
        raise FileRefused(_not_a_workbook())
    _sig, _disk, _disk_start, _here, entries, directory, _offset, _comment = _END_RECORD.unpack_from(tail, start)
    if entries == _ZIP64 or directory > MAX_DIRECTORY_BYTES or entries > MAX_MEMBERS:
        raise _too_much(_("The file holds more than %(count)s parts.") % {"count": grouped(MAX_MEMBERS)})
    upload.seek(0)


def _open_archive(upload: UploadedFile | None) -> zipfile.ZipFile:
    if upload is None:
        raise FileRefused(_("Choose the filled-in Excel template to upload."))
    if upload.size == 0:
        raise FileRefused(_("The file is empty."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise FileRefused(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
        )
    if PurePath(upload.name or "").suffix.lower() != ".xlsx" or not zipfile.is_zipfile(upload):
        raise FileRefused(_not_a_workbook())
    _check_directory(upload)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRefused(_not_a_workbook()) from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        archive.close()
        raise _too_much(_("The file holds more than %(count)s parts.") % {"count": grouped(MAX_MEMBERS)})
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        archive.close()
        raise FileRefused(
            _("The file unpacks to more than %(limit)s and cannot be read.")
            % {"limit": filesizeformat(MAX_UNPACKED_BYTES)}
        )
    return archive


# ---------------------------------------------------------------------------------------------
# Streaming one XML part


class _Part:
    """What reads one XML part: expat calls ``start``, ``end`` and ``text``; this class counts.

    Elements, their depth and the text collected are bounded here; each kind of part bounds what it
    keeps on top of that.
    """

    max_elements = MAX_ELEMENTS

    def __init__(self, name: str, budget: _TextBudget):
        self.name = name
        self.budget = budget
        self.elements = 0
        self.depth = 0
        self.collecting: list[str] | None = None  # the pieces of the text being read, when one is
        self.length = 0  # of the cell's or shared string's text so far, all its pieces together

    # expat's callbacks -------------------------------------------------------------------------
    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        self.depth += 1
        if self.elements > self.max_elements:
            raise _too_much(
                _("Part %(part)s of the file holds more than %(count)s elements.")
                % {"part": shown(self.name, 80), "count": grouped(self.max_elements)}
            )
        if self.depth > MAX_DEPTH:
            raise FileRefused(_not_a_workbook())
        self.start(name.rpartition("}")[2], attributes)

    def _end(self, name: str) -> None:
        self.depth -= 1
        self.end(name.rpartition("}")[2])

    def _text(self, data: str) -> None:
        if self.collecting is not None:
            self.length += len(data)
            if self.length > EXCEL_CELL_CHARS:
                raise FileRefused(
                    _("A cell of the file holds more than %(count)s characters, more than Excel allows.")
                    % {"count": grouped(EXCEL_CELL_CHARS)}
                )
            self.collecting.append(data)

    # for the kinds of part ---------------------------------------------------------------------
    def start(self, name: str, attributes: dict[str, str]) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def collect(self) -> None:
        """Collect the text of the element just started, adding to ``length``."""
        self.collecting = []

    def collected_text(self) -> str:
        text = "".join(self.collecting or ())
        self.collecting = None
        return text

    def keep(self, text: str) -> str:
        """Account for a text held until the end of the reading."""
        self.budget.add(text)
        return text


class _TextBudget:
    """The memory the kept texts take, all parts together, as Python holds them."""

    def __init__(self):
        self.used = 0

    def add(self, text: str) -> None:
        self.used += sys.getsizeof(text)
        if self.used > MAX_TEXT_BYTES:
            raise _too_much(
                _("The file holds more than %(limit)s of text.") % {"limit": filesizeformat(MAX_TEXT_BYTES)}
            )


def _refuse_declarations(*_args) -> None:
    # A workbook has no DOCTYPE; entities declared in one are how XML bombs expand.
    raise FileRefused(_not_a_workbook())


def _too_large(name: str) -> FileRefused:
    return _too_much(
        _("Part %(part)s of the file unpacks to more than %(limit)s.")
        % {"part": shown(name, 80), "limit": filesizeformat(MAX_PART_BYTES)}
    )


class _MarkupGuard:
    """Checks the raw bytes before expat sees them, so that expat never holds much of them at once.

    expat hands text over as it comes, but holds a tag, a comment or a processing instruction
    whole until it ends, and (before expat 2.6) scans it again with every chunk fed: one tag of
    a million attributes, or a comment of 15 MB, costs memory and quadratic time. Excel writes no
    comments, CDATA, DOCTYPE or processing instructions beyond the XML declaration, so "<!" and
    "<?" are refused; every other "<" starts a tag, which holds no "<", so the bytes from one "<"
    to the next bound what expat holds.
    """

    def __init__(self):
        self.unpacked = 0
        self.run = 0  # bytes since the last "<"
        self.previous = b""  # the last byte of the previous chunk: "<" and "!" may be split

    def check(self, chunk: bytes) -> None:
        window = self.previous + chunk
        start = self.unpacked - len(self.previous)  # where the window starts in the part
        if b"<!" in window:
            raise FileRefused(_not_a_workbook())
        at = window.find(b"<?")
        while at >= 0:
            if start + at not in (0, 3):  # the XML declaration, after a byte-order mark at most
                raise FileRefused(_not_a_workbook())
            at = window.find(b"<?", at + 1)
        last = chunk.rfind(b"<")
        if last < 0:
            self.run += len(chunk)
        else:
            # A chunk is shorter than the limit, so only a run that crosses chunks can exceed it.
            if self.run + chunk.find(b"<") > MAX_MARKUP_RUN:
                raise FileRefused(_not_a_workbook())
            self.run = len(chunk) - last - 1
        if self.run > MAX_MARKUP_RUN:
            raise FileRefused(_not_a_workbook())
        self.unpacked += len(chunk)
        self.previous = chunk[-1:]


def _stream(archive: zipfile.ZipFile, name: str, part: _Part) -> None:
    """Feed the archive member ``name`` to ``part``, a chunk at a time, checking its size as it unpacks."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise FileRefused(_not_a_workbook()) from None
    if info.file_size > MAX_PART_BYTES:
        raise _too_large(name)
    # Excel deflates; other methods (bzip2, lzma) have decoders of their own appetite, and none is needed.
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
        raise FileRefused(_not_a_workbook())
    # UTF-8 whatever the part declares: Excel writes nothing else, and the guard below reads bytes.
    parser = expat.ParserCreate(encoding="UTF-8", namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = part._start
    parser.EndElementHandler = part._end
    parser.CharacterDataHandler = part._text
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    guard = _MarkupGuard()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                # zipfile stops at the declared size and then checks the checksum; this counts what
                # actually came out, whatever the header said.
                if guard.unpacked + len(chunk) > MAX_PART_BYTES:
                    raise _too_large(name)
                guard.check(chunk)
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (
        expat.ExpatError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,  # a compression zipfile does not know
        RuntimeError,  # an encrypted member
        ValueError,  # a number, a style or a cell reference that does not parse
        IndexError,  # a shared string that is not there
    ):
        raise FileRefused(_not_a_workbook()) from None


# ---------------------------------------------------------------------------------------------
# The package's own parts: where the workbook, its sheets, styles and shared strings are


class _ContentTypes(_Part):
    max_elements = MAX_LIST_ELEMENTS

    def __init__(self, *args):
        super().__init__(*args)
        self.entries = 0

    def start(self, name, attributes):
        if name in ("Default", "Override"):
            self.entries += 1
            if self.entries > MAX_CONTENT_TYPES:
                raise _too_much(
                    _("The file lists more than %(count)s content types.") % {"count": grouped(MAX_CONTENT_TYPES)}
                )


class _Relationships(_Part):
    """Keeps the targets of the relationships whose type ends in one of ``types`` or whose Id is in ``ids``."""

    max_elements = MAX_LIST_ELEMENTS

    def __init__(self, *args, types: tuple[str, ...] = (), ids: frozenset[str] = frozenset()):
        super().__init__(*args)
        self.types, self.ids = types, ids
        self.by_type: dict[str, str] = {}
        self.by_id: dict[str, str] = {}

    def start(self, name, attributes):
        if name != "Relationship":
            return
        kind = attributes.get("Type", "").rpartition("/")[2]
        target = attributes.get("Target", "")
        if attributes.get("TargetMode") == "External":
            return
        if kind in self.types:
            self.by_type.setdefault(kind, target)
        if attributes.get("Id") in self.ids:
            self.by_id.setdefault(attributes["Id"], target)


class _WorkbookPart(_Part):
    """The sheets' names and relationship ids (only of the sheets looked for), and the date system."""

    max_elements = MAX_LIST_ELEMENTS

    def __init__(self, *args, wanted: tuple[str, ...]):
        super().__init__(*args)
        self.wanted = wanted
        self.sheets: dict[str, str] = {}
        self.date1904 = False

    def start(self, name, attributes):
        if name == "sheet":
            sheet = attributes.get("name")
            relationship = next((v for k, v in attributes.items() if k.rpartition("}")[2] == "id" and "}" in k), None)
            if sheet in self.wanted and relationship is not None:
                self.sheets.setdefault(sheet, relationship)
        elif name == "workbookPr":
            self.date1904 = attributes.get("date1904", "").lower() in ("1", "true")


_NUMBER_FORMAT_CODE_MAX = 255  # Excel's own limit; a longer code is not one of its date formats


def _small_int(text: str | None, default: int = 0) -> int:
    if text is None:
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise ValueError(text)
    return int(text)


class _Styles(_Part):
    """Which cell formats show a date: a number in such a cell is a date to Excel, and refused here."""

    def __init__(self, *args):
        super().__init__(*args)
        self.codes: dict[int, str | None] = {}
        self.cell_formats: list[int] = []  # the numFmtId of each cell format, by index
        self.formats = 0
        self.in_cell_formats = False

    def start(self, name, attributes):
        if name == "numFmt":
            if len(self.codes) >= MAX_NUMBER_FORMATS:
                raise _too_much(
                    _("The file defines more than %(count)s number formats.") % {"count": grouped(MAX_NUMBER_FORMATS)}
                )
            code = attributes.get("formatCode", "")
            self.codes[_small_int(attributes.get("numFmtId"))] = code if len(code) <= _NUMBER_FORMAT_CODE_MAX else None
        elif name == "xf":
            self.formats += 1  # cell formats and cell styles alike, as Excel counts them
            if self.formats > MAX_CELL_FORMATS:
                raise _too_much(
                    _("The file defines more than %(count)s cell formats.") % {"count": grouped(MAX_CELL_FORMATS)}
                )
            if self.in_cell_formats:
                self.cell_formats.append(_small_int(attributes.get("numFmtId")))
        elif name == "cellXfs":
            self.in_cell_formats = True

    def end(self, name):
        if name == "cellXfs":
            self.in_cell_formats = False

    def date_styles(self) -> frozenset[int]:
        dates: dict[int, bool] = {}
        for format_id in set(self.cell_formats):
            code = self.codes[format_id] if format_id in self.codes else builtin_format_code(format_id)
            dates[format_id] = is_date_format(code)
        return frozenset(i for i, format_id in enumerate(self.cell_formats) if dates[format_id])


class _SharedStrings(_Part):
    """The texts cells refer to by number; rich text is read as its plain text, phonetic hints left out."""

    def __init__(self, *args):
        super().__init__(*args)
        self.strings: list[str] = []
        self.pieces: list[str] | None = None
        self.phonetic = 0

    def start(self, name, attributes):
        if name == "si":
            if len(self.strings) >= MAX_SHARED_STRINGS:
                raise _too_much(
                    _("The file holds more than %(count)s different texts.") % {"count": grouped(MAX_SHARED_STRINGS)}
                )
            self.pieces = []
            self.length = 0
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.pieces is not None and not self.phonetic:
            self.collect()

    def end(self, name):
        if name == "t" and self.collecting is not None:
            self.pieces.append(self.collected_text())
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si" and self.pieces is not None:
            self.strings.append(self.keep("".join(self.pieces)))
            self.pieces = None


# ---------------------------------------------------------------------------------------------
# A sheet: the cells of the template's columns, row by row

_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
# xsd:double as Excel writes it: no "inf", "nan", underscores or non-ASCII digits, which float() takes.
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
LAST_ROW = 1_048_576


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


@dataclass
class SheetRows:
    """The values of the template's columns, by row number, from the heading row on."""

    rows: dict[int, list] = field(default_factory=dict)
    overflow: bool = False  # a non-empty row past the last one read


class _Sheet(_Part):
    def __init__(
        self,
        *args,
        sheet: str,
        width: int,
        last_row: int,
        formula_columns: frozenset[int],
        strings: list[str],
        date_styles: frozenset[int],
        epoch,
    ):
        super().__init__(*args)
        self.sheet = sheet
        self.width, self.last_row, self.formula_columns = width, last_row, formula_columns
        self.strings, self.date_styles, self.epoch = strings, date_styles, epoch
        self.found = SheetRows()
        self.cells = 0
        self.row = 0
        self.column = 0
        self.cell: dict | None = None  # the cell being read, when it is in the template's columns

    def start(self, name, attributes):
        if name == "c":
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise _too_much(
                    _("The sheet %(sheet)s has more than %(count)s cells.")
                    % {"sheet": self.sheet, "count": grouped(MAX_CELLS)}
                )
            reference = attributes.get("r")
            if reference is None:
                self.column += 1
            else:
                match = _REFERENCE.fullmatch(reference)
                if match is None:
                    raise ValueError(reference)
                self.column = _column_number(match[1])
            self.cell = None
            self.length = 0
            if self.column <= self.width and self.row >= HEADER_ROW:
                self.cell = {
                    "type": attributes.get("t", "n"),
                    "style": _small_int(attributes.get("s")),
                    "formula": False,
                    "value": None,
                    "inline": None,
                }
        elif name == "row":
            reference = attributes.get("r")
            self.row = self.row + 1 if reference is None else _small_int(reference)
            if not 1 <= self.row <= LAST_ROW:
                raise ValueError(reference)
            self.column = 0
        elif self.cell is None:
            return
        elif name == "v":
            self.collect()
        elif name == "f":
            self.cell["formula"] = True
        elif name == "is":
            self.cell["inline"] = []
        elif name == "rPh":
            self.cell["phonetic"] = self.cell.get("phonetic", 0) + 1
        elif name == "t" and self.cell["inline"] is not None and not self.cell.get("phonetic"):
            self.collect()

    def end(self, name):
        if self.cell is None:
            return
        if name == "v" and self.collecting is not None:
            self.cell["value"] = self.collected_text()
        elif name == "t" and self.collecting is not None:
            self.cell["inline"].append(self.collected_text())
        elif name == "rPh":
            self.cell["phonetic"] -= 1
        elif name == "c":
            value = self._value(self.cell)
            shared = self.cell["type"] == "s"
            self.cell = None
            if self.row > self.last_row:
                self.found.overflow = self.found.overflow or not is_blank(value)
            elif value is not None:
                if isinstance(value, str) and not shared:  # a shared string is counted once, already
                    self.keep(value)
                row = self.found.rows.setdefault(self.row, [None] * self.width)
                row[self.column - 1] = value

    def _value(self, cell: dict):
        """The cell's value as openpyxl's data_only reading gave it, but a formula without its value is told apart."""
        kind, text = cell["type"], cell["value"]
        if cell["formula"] and (text is None or (text == "" and kind != "str")):
            # A formula result that is an empty text is written as t="str" with an empty value: computed.
            return UNCOMPUTED if self.column in self.formula_columns else None
        if kind == "inlineStr":
            return "".join(cell["inline"] or ())
        if not text:
            return None if kind != "str" else ""
        if kind == "s":
            return self.strings[_small_int(text)]  # IndexError: a broken file
        if kind in ("str", "e"):  # a formula's text, an error such as #DIV/0!
            return text
        if kind == "b":
            if text.strip() not in ("0", "1"):
                raise ValueError(text)
            return text.strip() == "1"
        if kind == "d":
            return DateValue(text)
        if kind != "n" or not _NUMBER_TEXT.fullmatch(text.strip()):
            raise ValueError(text)
        text = text.strip()
        # As openpyxl reads it: whole numbers as int, the rest as float. A very long whole number is a
        # float too (int() of thousands of digits is slow, and it is too large for any column anyway).
        number = int(text) if text.lstrip("+-").isdigit() and len(text) <= 30 else float(text)
        if cell["style"] in self.date_styles:
            try:
                return DateValue(str(from_excel(number, self.epoch)))
            except (OverflowError, ValueError):
                return DateValue(text)
        return number


# ---------------------------------------------------------------------------------------------
# The opened workbook


class UploadedWorkbook:
    """An upload opened for reading: which of the wanted sheets it has, and their rows on demand."""

    def __init__(self, upload: UploadedFile | None, wanted: tuple[str, ...] = (REALISATION_SHEET, BUDGET_SHEET)):
        self.archive = _open_archive(upload)
        try:
            self._read_package(wanted)
        except BaseException:
            self.archive.close()
            raise

    def __enter__(self) -> UploadedWorkbook:
        return self

    def __exit__(self, *_exc) -> None:
        self.archive.close()

    def _part(self, kind: Callable[..., _Part], name: str, **kwargs) -> _Part:
        part = kind(name, self.budget, **kwargs)
        _stream(self.archive, name, part)
        return part

    def _read_package(self, wanted: tuple[str, ...]) -> None:
        self.budget = _TextBudget()
        names = set(self.archive.namelist())
        if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
            raise FileRefused(_not_a_workbook())
        self._part(_ContentTypes, "[Content_Types].xml")
        package = self._part(_Relationships, "_rels/.rels", types=("officeDocument",))
        if "officeDocument" not in package.by_type:
            raise FileRefused(_not_a_workbook())
        workbook_name = _resolve("", package.by_type["officeDocument"])
        workbook = self._part(_WorkbookPart, workbook_name, wanted=wanted)
        folder, base = posixpath.split(workbook_name)
        relationships = self._part(
            _Relationships,
            posixpath.join(folder, "_rels", base + ".rels"),
            types=("styles", "sharedStrings"),
            ids=frozenset(workbook.sheets.values()),
        )
        self.sheets: dict[str, str] = {}
        for sheet, relationship in workbook.sheets.items():
            if relationship not in relationships.by_id:
                raise FileRefused(_not_a_workbook())
            self.sheets[sheet] = _resolve(folder, relationships.by_id[relationship])
        self.epoch = MAC_EPOCH if workbook.date1904 else WINDOWS_EPOCH
        self.date_styles: frozenset[int] = frozenset()
        if "styles" in relationships.by_type:
            styles = self._part(_Styles, _resolve(folder, relationships.by_type["styles"]))
            self.date_styles = styles.date_styles()
        self.strings: list[str] = []
        if "sharedStrings" in relationships.by_type:
            shared = self._part(_SharedStrings, _resolve(folder, relationships.by_type["sharedStrings"]))
            self.strings = shared.strings

    @property
    def sheetnames(self) -> list[str]:
        return list(self.sheets)

    def rows(self, sheet: str, *, width: int, formula_columns: frozenset[int]) -> SheetRows:
        """The sheet's rows from the heading row to one past the last data row allowed."""
        part = self._part(
            _Sheet,
            self.sheets[sheet],
            sheet=sheet,
            width=width,
            last_row=HEADER_ROW + MAX_DATA_ROWS + 1,
            formula_columns=formula_columns,
            strings=self.strings,
            date_styles=self.date_styles,
            epoch=self.epoch,
        )
        return part.found


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a name in the archive: absolute from the package's root, or relative."""
    path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(path).lstrip("/")


def open_upload(upload: UploadedFile | None) -> UploadedWorkbook:
    """Open an uploaded file as a workbook, or raise FileRefused saying why it cannot be read."""
    return UploadedWorkbook(upload)
