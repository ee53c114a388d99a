"""The NIP (Nomor Induk Pegawai): 18 digits that carry a civil servant's birth date and appointment month.

Layout: YYYYMMDD (birth) · YYYYMM (appointment as CPNS) · G (1 man, 2 woman) · NNN (sequence).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_nip(value: str) -> str:
    """NIPs are written in groups ("19700101 199503 1 001"); keep the digits."""
    return "".join(value.split())


def validate_nip(value: str) -> None:
    nip = normalise_nip(value)
    # str.isdigit alone also takes Arabic-Indic, full-width and superscript digits.
    if len(nip) != 18 or not (nip.isascii() and nip.isdigit()):
        raise ValidationError(_("A NIP has 18 digits."), code="length")
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise ValidationError(
            _("The first 8 digits of a NIP are a birth date (YYYYMMDD); %(digits)s is not a real date.")
            % {"digits": nip[0:8]},
            code="birth_date",
        ) from None
    year, month = int(nip[8:12]), int(nip[12:14])
    # Year 0000 is no year a date can hold (and before any birth date anyway).
    if not 1 <= month <= 12 or year < 1:
        raise ValidationError(
            _("Digits 9 to 14 of a NIP are the appointment month (YYYYMM); %(digits)s is not a real month.")
            % {"digits": nip[8:14]},
            code="appointment",
        )
    appointed = date(year, month, 1)
    if appointed <= born or appointed > date.today():
        raise ValidationError(
            _("The appointment month %(digits)s of this NIP cannot be right for the birth date.")
            % {"digits": nip[8:14]},
            code="appointment",
        )
    if nip[14] not in "12":
        raise ValidationError(_("Digit 15 of a NIP is 1 or 2."), code="gender")
