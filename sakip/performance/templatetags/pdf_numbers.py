"""Numbers in the PDF's narrow columns: a break opportunity only where the number may not fit.

Each ``<wbr>`` splits a cell's text into one more box for weasyprint to lay out and draw; a budget
of 1.000.000.000,00 had five. A number of at most ``limit`` characters fits its column whatever its
digits (the widest sign, a digit, is 0,556 em in Liberation Sans), so it is printed as it is.
"""

from django import template
from django.utils.safestring import SafeString

from sakip.performance.templatetags.numbers import breakable

register = template.Library()


@register.filter
def breakable_over(text: str, limit: int) -> SafeString | str:
    """``text`` with break opportunities after its group dots when it is longer than ``limit``."""
    text = "" if text is None else str(text)
    return breakable(text) if len(text) > int(limit) else text
