"""What may be attached to a document: office papers (PDF, images, Word, Excel) within a size limit."""

import re
import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from sakip.lib.text import one_line

# Extension → the bytes such a file starts with. The content is checked, not
# only the name, so that a renamed program is not stored as "surat.pdf".
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": _ZIP,
    "xlsx": _ZIP,
    "doc": _OLE,
    "xls": _OLE,
}


def validate_attachment(upload: UploadedFile) -> None:
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    if extension not in SIGNATURES:
        raise ValidationError(
            _("%(name)s: only PDF, images (PNG, JPG), Word and Excel files can be attached.") % {"name": upload.name},
            code="type",
        )
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="size",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[extension]):
        raise ValidationError(
            _("%(name)s is not a real %(type)s file.") % {"name": upload.name, "type": extension.upper()},
            code="content",
        )


# A stored name is at most this long, in characters and in UTF-8 bytes: file systems allow 255
# bytes, and Django may add "_" and 7 random characters when the name is taken.
STORED_MAX_LENGTH = 100
STORED_MAX_BYTES = 150
# Attachment.name, what people read and the download's file name.
DISPLAY_MAX_LENGTH = 255
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")
_UNSAFE = re.compile(r"[^\w.-]+")
_RUNS = re.compile(r"([._-])[._-]+")


def _last_component(name: str) -> str:
    """The file name without any folder, whichever separator the sender's system used."""
    return re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if dot and _EXTENSION.fullmatch("." + extension.lower()):
        return stem, "." + extension.lower()
    return name, ""


def _shorten(stem: str, extension: str, *, characters: int, utf8_bytes: int | None = None) -> str:
    stem = stem[: max(characters - len(extension), 0)]
    if utf8_bytes is not None:
        budget = utf8_bytes - len(extension.encode())
        # Cut on a character, never inside one.
        while len(stem.encode()) > budget:
            stem = stem[:-1]
    return stem + extension


def display_name(name: str) -> str:
    """The name as the person gave it, made one line (NFC, no folder, no control or invisible
    characters) and shortened to what Attachment.name holds, keeping the extension."""
    shown = one_line(_last_component(name))
    if len(shown) <= DISPLAY_MAX_LENGTH:
        return shown or stored_name(name)
    stem, extension = _split_extension(shown)
    return _shorten(stem, extension, characters=DISPLAY_MAX_LENGTH)


def stored_name(name: str) -> str:
    """A name safe to write to disk: NFC, no folder, letters, digits, ".", "-" and "_" only, never
    hidden, at most STORED_MAX_LENGTH characters and STORED_MAX_BYTES bytes, keeping the extension.

    The person still sees the name they gave (display_name); this one only has to be safe and
    recognisable to whoever looks in the media folder.
    """
    stem, extension = _split_extension(_last_component(name))
    stem = _UNSAFE.sub("", one_line(stem).replace(" ", "_"))
    stem = _RUNS.sub(r"\1", stem).strip("._-") or "lampiran"
    return _shorten(stem, extension, characters=STORED_MAX_LENGTH, utf8_bytes=STORED_MAX_BYTES)
