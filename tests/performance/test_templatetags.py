"""Numbers and NIPs in pages are written the Indonesian way."""

from decimal import Decimal

from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template("{% load numbers %}" + source).render(Context(context))


def test_it_writes_numbers_with_a_decimal_comma_and_thousands_dots():
    assert render("{{ v|idnum }}", v=Decimal("4.5000")) == "4,5"
    assert render("{{ v|idnum }}", v=Decimal("1160.0000")) == "1.160"
    assert render("{{ v|idnum:2 }}", v=Decimal("1250000000")) == "1.250.000.000,00"
    assert render("{{ v|idnum:2 }}", v=Decimal("540.625")) == "540,63"
    assert render("{{ v|idnum }}", v=None) == ""


def test_it_groups_a_nip_as_it_is_printed():
    assert render("{{ v|nip }}", v="197805122003122004") == "19780512 200312 2 004"
    assert render("{{ v|nip }}", v="12345") == "12345"


def test_it_lets_a_long_number_wrap_only_after_a_group_dot():
    assert render("{{ v|breakable }}", v="19.999.999.999.999,98") == "19.<wbr>999.<wbr>999.<wbr>999.<wbr>999,98"
    assert render("{{ v|breakable }}", v="91,76") == "91,76"
    assert render("{{ v|breakable }}", v="<b>1.000</b>") == "&lt;b&gt;1.<wbr>000&lt;/b&gt;"  # escaped first
    assert render("{{ v|default:'–'|breakable }}", v="") == "–"
