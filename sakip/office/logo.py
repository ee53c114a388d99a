"""The letterhead's logo: a PNG or JPEG, checked by its content (Pillow), small enough to print fast."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 2000  # per side: a letterhead logo prints at 2 cm
LOGO_MIME = {"PNG": "image/png", "JPEG": "image/jpeg"}
_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


def logo_format(data: bytes) -> str | None:
    """ "PNG" or "JPEG" by the bytes the file starts with, else None."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def validate_logo(file: File) -> None:
    """Refuse anything but a whole, readable PNG or JPEG of at most 1 MB and 2000 × 2000 pixels."""
    if file.size is not None and file.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is %(size)s; at most %(limit)s is allowed.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(LOGO_MAX_BYTES)},
            code="size",
        )
    file.seek(0)
    data = file.read(LOGO_MAX_BYTES + 1)
    file.seek(0)
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is larger than %(limit)s.") % {"limit": filesizeformat(LOGO_MAX_BYTES)})
    kind = logo_format(data)
    refused = ValidationError(_("The logo must be a PNG or JPEG image."), code="type")
    if kind is None:
        raise refused
    from PIL import Image  # weasyprint's own dependency

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != kind:
                raise refused
            width, height = image.size
            if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
                raise ValidationError(
                    _("The logo is %(width)s × %(height)s pixels; at most %(limit)s × %(limit)s are allowed.")
                    % {"width": width, "height": height, "limit": LOGO_MAX_PIXELS},
                    code="dimensions",
                )
            image.verify()  # the whole file: a truncated or corrupt image is refused here, not in the PDF
    except ValidationError:
        raise
    except Exception:  # Pillow raises many kinds for a broken file
        raise refused from None
