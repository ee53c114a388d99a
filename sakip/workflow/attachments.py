"""What may be attached to a document: office papers (PDF, images, Word, Excel) within a size limit."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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
