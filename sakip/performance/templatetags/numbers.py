"""Numbers and NIPs in templates, written the Indonesian way."""

from decimal import Decimal

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from sakip.lib.numbers import format_id_decimal, format_in_decimals

register = template.Library()


@register.filter
def idnum(value: Decimal | None, places: int | None = None) -> str:
    """1.234,56: exact digits, or rounded half up to ``places``."""
    if value in (None, ""):
        return ""
    return format_id_decimal(Decimal(value), None if places in (None, "") else int(places))


@register.filter
def in_decimals(value: Decimal | None, decimals: int) -> str:
    """An indicator's value with the decimals it takes: 1.205 (orang), 87,50 (%); never fewer than it holds."""
    if value in (None, ""):
        return ""
    return format_in_decimals(Decimal(value), int(decimals))


@register.filter
def breakable(text: str) -> SafeString:
    """1.234.<wbr>567,89: where a number may wrap in a column too narrow for it (the PDF's), nowhere else.

    Only a break opportunity: the number reads and copies as written.
    """
    return mark_safe(str(conditional_escape(text)).replace(".", ".<wbr>"))  # noqa: S308 (escaped first)


@register.filter
def nip(value: str) -> str:
    """19700101 199503 1 001: the groups in which a NIP is printed."""
    value = value or ""
    return f"{value[:8]} {value[8:14]} {value[14]} {value[15:]}" if len(value) == 18 else value
