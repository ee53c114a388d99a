"""Reading and writing numbers the Indonesian way: 1.160 is a thousand and more, 91,76 has decimals."""

from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sakip.lib.numbers import NumberFormatError, format_id_decimal, parse_id_decimal, round_half_up, strip_zeros


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", Decimal("1234.56")),
        ("1234,56", Decimal("1234.56")),
        ("1234", Decimal("1234")),
        ("91,76", Decimal("91.76")),
        ("1.160", Decimal("1160")),  # a dot always groups thousands: one thousand one hundred sixty
        ("-5,5", Decimal("-5.5")),
        ("0", Decimal("0")),
        ("0,005", Decimal("0.005")),
        ("1.000.000", Decimal("1000000")),
        ("12.345.678,9012", Decimal("12345678.9012")),
        ("-1.234,5", Decimal("-1234.5")),
        ("  42  ", Decimal("42")),
        ("\t7,25\n", Decimal("7.25")),
        ("\u00a01.160\u00a0", Decimal("1160")),  # non-breaking spaces, as pasted from a spreadsheet
        ("\u202f91,76", Decimal("91.76")),  # narrow no-break space
    ],
)
def test_it_parses_indonesian_numbers(text, expected):
    value = parse_id_decimal(text)
    assert value == expected
    assert isinstance(value, Decimal)
    assert value.as_tuple() == expected.as_tuple()  # exact digits, no float on the way


def test_it_parses_minus_zero_as_zero():
    value = parse_id_decimal("-0,00")
    assert value == 0
    assert not value.is_signed()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u00a0", "empty"),
        ("1,2,3", "several_commas"),
        ("1,2,", "several_commas"),
        ("1.23,4", "bad_grouping"),  # groups after the first must have exactly three digits
        ("1.234.5", "bad_grouping"),
        ("12.34", "bad_grouping"),  # an English decimal point: refused, not read as 1234
        ("1.2345", "bad_grouping"),
        ("1234.567", "bad_grouping"),  # the first group has at most three digits
        ("0.123", "bad_grouping"),  # the first group does not start with zero
        ("1..234", "invalid"),
        ("1.", "invalid"),
        (".5", "invalid"),
        (",5", "invalid"),
        ("5,", "invalid"),
        ("abc", "invalid"),
        ("1e5", "invalid"),
        ("1E5", "invalid"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("-Infinity", "invalid"),
        ("+5", "invalid"),
        ("--5", "invalid"),
        ("- 5", "invalid"),
        ("5-", "invalid"),
        ("1 234", "invalid"),
        ("1\u00a0234", "invalid"),
        ("91,76 %", "invalid"),
        ("Rp 1.000", "invalid"),
        ("\u0663", "invalid"),  # an Arabic-Indic digit, which Decimal() alone would accept
        ("1" * 65, "too_long"),
    ],
)
def test_it_refuses_other_forms(text, code):
    with pytest.raises(NumberFormatError) as caught:
        parse_id_decimal(text)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)
    assert str(caught.value)


def test_it_suggests_a_comma_for_decimals():
    with pytest.raises(NumberFormatError, match="comma"):
        parse_id_decimal("12.34")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1234.56"), None, "1.234,56"),
        (Decimal("1234.56"), 2, "1.234,56"),
        (Decimal("1160"), None, "1.160"),
        (Decimal("1160.0000"), None, "1.160"),  # as a DecimalField with 4 places returns it
        (Decimal("91.7600"), None, "91,76"),
        (Decimal("91.76"), 4, "91,7600"),
        (Decimal("-1234.5"), None, "-1.234,5"),
        (Decimal("0"), None, "0"),
        (Decimal("0.0000"), None, "0"),
        (Decimal("-0.0"), None, "0"),
        (Decimal("0"), 2, "0,00"),
        (Decimal("1E+3"), None, "1.000"),
        (Decimal("0.00001"), None, "0,00001"),
        (Decimal("1234567890.5"), None, "1.234.567.890,5"),
        (Decimal("999"), None, "999"),
        (Decimal("540.625"), 2, "540,63"),  # half up; Python's round() would give 540,62
        (Decimal("0.005"), 2, "0,01"),
        (Decimal("0.004999"), 2, "0,00"),
        (Decimal("2.5"), 0, "3"),
        (Decimal("3.5"), 0, "4"),
        (Decimal("-2.5"), 0, "-3"),  # halves away from zero on both sides
        (Decimal("-0.001"), 2, "0,00"),  # no "-0,00"
        (Decimal("999.995"), 2, "1.000,00"),  # rounding carries into a new thousands group
        (Decimal("107.6923076923076923076923077"), 2, "107,69"),
        (Decimal("1.23456789012345678901234567890123"), None, "1,23456789012345678901234567890123"),
        (None, None, ""),
        (None, 2, ""),
    ],
)
def test_it_formats_indonesian_numbers(value, places, expected):
    assert format_id_decimal(value, places) == expected


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_it_refuses_to_format_what_is_not_a_number(value):
    with pytest.raises(ValueError):
        format_id_decimal(value)
    with pytest.raises(ValueError):
        round_half_up(value)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("540.625"), 2, Decimal("540.63")),
        (Decimal("540.624999"), 2, Decimal("540.62")),
        (Decimal("0.005"), 2, Decimal("0.01")),
        (Decimal("-0.005"), 2, Decimal("-0.01")),
        (Decimal("90.995"), 2, Decimal("91.00")),
        (Decimal("90.994"), 2, Decimal("90.99")),
        (Decimal("2.5"), 0, Decimal("3")),
        (Decimal("0.125"), 2, Decimal("0.13")),  # half-even would give 0,12
        (Decimal("12345678901234567890123456789.5"), 0, Decimal("12345678901234567890123456790")),  # > 28 digits
    ],
)
def test_it_rounds_half_up(value, places, expected):
    assert round_half_up(value, places) == expected
    assert round_half_up(value, places).as_tuple().exponent == -places


def test_it_rounds_to_two_places_by_default():
    assert round_half_up(Decimal("1.005")) == Decimal("1.01")


def test_it_refuses_negative_places():
    with pytest.raises(ValueError):
        round_half_up(Decimal(1), -1)


@pytest.mark.parametrize(
    "text",
    ["0", "1", "-1", "0,5", "12,34", "999", "1.000", "1.160", "91,76", "100,00", "1.234.567,0001", "-0,0001"],
)
def test_it_reads_back_what_it_writes(text):
    value = parse_id_decimal(text)
    assert parse_id_decimal(format_id_decimal(value)) == value
    assert parse_id_decimal(format_id_decimal(value, 4)) == value


def _half_up(value: Fraction, places: int) -> Fraction:
    """Round half away from zero, on exact fractions: an independent check of round_half_up."""
    scale = 10**places
    magnitude = Fraction(floor(abs(value) * scale + Fraction(1, 2)), scale)
    return -magnitude if value < 0 else magnitude


finite = {"allow_nan": False, "allow_infinity": False}
up_to_four_places = st.integers(min_value=0, max_value=4).flatmap(
    lambda places: st.decimals(min_value=-(10**16), max_value=10**16, places=places, **finite)
)


@given(value=up_to_four_places)
def test_it_round_trips_random_numbers(value):
    written = format_id_decimal(value)
    assert parse_id_decimal(written) == value
    assert parse_id_decimal(format_id_decimal(value, 4)) == value
    assert format_id_decimal(parse_id_decimal(written)) == written
    assert "." not in written.partition(",")[2]  # dots only in the whole part


@given(value=st.decimals(min_value=-(10**6), max_value=10**6, places=8, **finite), places=st.integers(0, 4))
def test_it_rounds_like_exact_arithmetic(value, places):
    assert Fraction(round_half_up(value, places)) == _half_up(Fraction(value), places)
    assert Fraction(parse_id_decimal(format_id_decimal(value, places))) == _half_up(Fraction(value), places)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.5000", "1234.5"),
        ("100.00", "100"),  # zeros before the point stay: 100, not 1E+2
        ("-0.50", "-0.5"),
        ("0.0001", "0.0001"),
        ("0.00000", "0"),  # a zero written with five decimals has none
        ("1E+3", "1E+3"),
        ("1234567890123456789012345678901.10", "1234567890123456789012345678901.1"),  # beyond 28 digits, exact
    ],
)
def test_it_strips_trailing_decimal_zeros_exactly(value, expected):
    assert str(strip_zeros(Decimal(value))) == expected


@given(value=up_to_four_places)
def test_it_strips_zeros_without_changing_the_value(value):
    stripped = strip_zeros(value)
    assert stripped == value
    _sign, digits, exponent = stripped.as_tuple()
    assert exponent >= 0 or digits[-1] != 0


def test_it_refuses_to_strip_what_is_not_a_number():
    with pytest.raises(ValueError):
        strip_zeros(Decimal("NaN"))
