"""Numbers written the Indonesian way: a dot groups thousands, a comma starts the decimals (1.234,56)."""

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

# A dot is always the thousands separator, so "1.160" is one thousand one hundred sixty and "12.34"
# is refused rather than guessed at. Only ASCII digits: Decimal() would also take Arabic-Indic ones.
_NUMBER = re.compile(r"(?P<sign>-?)(?P<whole>[0-9]+(?:\.[0-9]+)*)(?:,(?P<fraction>[0-9]+))?")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")
# Far beyond any DecimalField here; keeps a pasted megabyte of digits from reaching Decimal().
_MAX_LENGTH = 64


class NumberFormatError(ValueError):
    """A number that is not written the Indonesian way; ``code`` says why, for the caller to translate."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def parse_id_decimal(text: str) -> Decimal:
    """The exact value of "1.234,56", "91,76", "1.160" (= 1160) or "-5,5"; anything else raises NumberFormatError."""
    stripped = text.strip()  # str.strip() also removes non-breaking and narrow no-break spaces
    if not stripped:
        raise NumberFormatError("Enter a number.", code="empty")
    if len(stripped) > _MAX_LENGTH:
        raise NumberFormatError("The number is too long.", code="too_long")
    if stripped.count(",") > 1:
        raise NumberFormatError("Use one comma only, before the decimals.", code="several_commas")
    match = _NUMBER.fullmatch(stripped)
    if match is None:
        raise NumberFormatError("Enter a number such as 1.234,56.", code="invalid")
    whole = match["whole"]
    if "." in whole and not _GROUPED.fullmatch(whole):
        raise NumberFormatError(
            "A dot separates thousands and must be followed by three digits; write decimals with a comma (12,5).",
            code="bad_grouping",
        )
    digits = whole.replace(".", "")
    if match["fraction"]:
        digits += "." + match["fraction"]
    value = Decimal(match["sign"] + digits)
    return value.copy_abs() if value.is_zero() else value  # no "-0"


def strip_zeros(value: Decimal) -> Decimal:
    """``value`` without trailing decimal zeros (1234,5000 → 1234,5; 0,00000 → 0), exactly.

    normalize() would round to the context's precision, and also turns 1200 into 1,2E+3.
    """
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"Cannot strip {value}")
    while exponent < 0 and digits[-1] == 0 and len(digits) > 1:
        digits, exponent = digits[:-1], exponent + 1
    if digits == (0,):
        exponent = max(exponent, 0)
    return Decimal((sign, digits, exponent))


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """``value`` rounded to ``places`` decimals, halves away from zero (540,625 → 540,63), as published tables do."""
    if places < 0:
        raise ValueError("places must be zero or more")
    if not value.is_finite():
        raise ValueError(f"Cannot round {value}")
    with localcontext() as context:
        # quantize() fails when the result has more digits than the context's precision.
        context.prec = max(28, value.adjusted() + places + 2)
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_id_decimal(value: Decimal | None, places: int | None = None) -> str:
    """``value`` written the Indonesian way; "" for None.

    With ``places``, exactly that many decimals, rounded half up. Without, the value's own
    significant decimals: trailing zeros are dropped, so a stored 1160.0000 reads "1.160" and
    91.7600 reads "91,76".
    """
    if value is None:
        return ""
    if not value.is_finite():
        raise ValueError(f"Cannot format {value}")
    if places is not None:
        value = round_half_up(value, places)
    whole, _, fraction = format(value.copy_abs(), "f").partition(".")
    if places is None:
        fraction = fraction.rstrip("0")  # by hand: normalize() would round away digits beyond its precision
    grouped = f"{int(whole):,}".replace(",", ".")
    negative = value.is_signed() and not value.is_zero()  # -0,001 rounded to places=2 is "0,00", not "-0,00"
    return ("-" if negative else "") + grouped + ("," + fraction if fraction else "")


def decimal_places(value: Decimal) -> int:
    """The decimals ``value`` really holds, trailing zeros not counted: 1,50 → 1, 1.205 (= 1205) → 0, 1,205 → 3."""
    exponent = strip_zeros(value).as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"Cannot count the decimals of {value}")
    return max(0, -exponent)


def format_in_decimals(value: Decimal | None, decimals: int) -> str:
    """``value`` with ``decimals`` decimals (1.205 orang, 87,50 %); "" for None.

    Never rounds a digit away: a value stored with more decimals than its indicator now takes (one
    entered before the indicator said so) shows them all, so the page never shows a number other
    than the one kept and signed.
    """
    if value is None:
        return ""
    return format_id_decimal(value, max(decimals, decimal_places(value)))


# "1,205" or "12,500,000": thousands grouped with commas, as English writes them.
_COMMA_GROUPED = re.compile(r"-?[1-9][0-9]{0,2}(?:,[0-9]{3})+")


def thousands_meant(text: str) -> str:
    """For "1,205" (1 point 205 here, but a thousand in English notation): "1.205", the Indonesian way; else ""."""
    stripped = text.strip() if isinstance(text, str) else ""
    if len(stripped) > _MAX_LENGTH or not _COMMA_GROUPED.fullmatch(stripped):
        return ""
    return stripped.replace(",", ".")
