"""Capaian, serapan and rating bands, each formula at its edges, checked against arithmetic done by hand."""

from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from sakip.lib.numbers import parse_id_decimal, round_half_up
from sakip.performance.capaian import (
    DEFAULT_BANDS,
    Band,
    LowerFormula,
    Polarity,
    Result,
    State,
    absorption,
    capaian,
    check_bands,
    rating,
)
from sakip.performance.models import NUMBER

D = Decimal
HIGHER = Polarity.HIGHER
LOWER = Polarity.LOWER
MIRROR = LowerFormula.MIRROR
INVERSE = LowerFormula.INVERSE


def higher(target, realisation, **kwargs) -> Result:
    return capaian(target=D(target), realisation=D(realisation), polarity=HIGHER, **kwargs)


def mirror(target, realisation, **kwargs) -> Result:
    return capaian(target=D(target), realisation=D(realisation), polarity=LOWER, formula=MIRROR, **kwargs)


def inverse(target, realisation, **kwargs) -> Result:
    return capaian(target=D(target), realisation=D(realisation), polarity=LOWER, formula=INVERSE, **kwargs)


# Higher is better: realisation / target × 100.


def test_it_gives_100_when_realisation_equals_target():
    # 80 / 80 × 100 = 100
    result = higher("80", "80")
    assert result == Result(value=D(100), state=State.OK)
    assert result.is_ok
    assert result.display == "100,00"


def test_it_goes_above_100_without_a_cap():
    # 100 / 80 × 100 = 125
    assert higher("80", "100").value == D(125)
    # 295 / 100 × 100 = 295, as published tables show
    assert higher("100", "295").value == D(295)


def test_it_falls_below_100_under_target():
    # 60 / 80 × 100 = 75
    assert higher("80", "60").value == D(75)


def test_it_gives_zero_for_a_realisation_of_zero():
    # 0 / 50 × 100 = 0: a real result, not a missing one
    result = higher("50", "0")
    assert result == Result(value=D(0), state=State.OK)
    assert result.display == "0,00"


def test_it_refuses_to_divide_by_a_target_of_zero():
    result = higher("0", "5")
    assert result == Result(value=None, state=State.NO_TARGET)
    assert not result.is_ok
    assert result.display == ""
    # 0 / 0 is no better
    assert higher("0", "0").state == State.NO_TARGET


def test_it_counts_people_in_thousands():
    # 1.160 people targeted, 1.392 placed: 1392 / 1160 = 1,2 (1160 × 1,2 = 1392) → 120
    assert higher(parse_id_decimal("1.160"), parse_id_decimal("1.392")).value == D(120)
    # 1.000 placed: 100000 / 1160 = 86,2068965… (1160 × 86 = 99760, rest 240 / 1160 = 0,2068…)
    result = higher("1160", "1000")
    assert result.value == D("86.20689655172413793103448276")
    assert result.display == "86,21"


def test_it_keeps_the_value_unrounded():
    # 1 / 3 × 100 = 33,333…: 28 significant digits kept, rounding is for display only
    result = higher("3", "1")
    assert result.value == D("33.33333333333333333333333333")
    assert result.display == "33,33"


def test_it_rounds_half_up_for_display():
    # 86,5 / 16 × 100 = 540,625 (16 × 5,40625 = 86,5) → "540,63", not half-even's "540,62"
    result = higher("16", "86.5")
    assert result.value == D("540.625")
    assert result.display == "540,63"
    # 0,1 / 2000 × 100 = 0,005 → "0,01"
    result = higher("2000", "0.1")
    assert result.value == D("0.005")
    assert result.display == "0,01"


def test_it_ignores_a_lower_formula_when_higher_is_better():
    # An indicator switched back to higher-is-better may keep its old formula: 60 / 80 × 100 = 75
    assert higher("80", "60", formula=INVERSE).value == D(75)


# Lower is better, mirror: (2 × target − realisation) / target × 100.


def test_it_mirrors_a_rate_below_target():
    # Unemployment target 5,2 %, realised 4,8 %: (10,4 − 4,8) / 5,2 × 100 = 5,6 / 5,2 × 100 = 107,6923…
    result = mirror("5.2", "4.8")
    assert result.value == D("107.6923076923076923076923077")
    assert result.display == "107,69"


def test_it_mirrors_a_rate_above_target():
    # Realised 6 %: (10,4 − 6) / 5,2 × 100 = 4,4 / 5,2 × 100 = 84,6153…
    result = mirror("5.2", "6")
    assert result.value == D("84.61538461538461538461538462")
    assert result.display == "84,62"


def test_it_mirrors_to_100_on_target_and_200_at_zero():
    # (10,4 − 5,2) / 5,2 × 100 = 100
    assert mirror("5.2", "5.2").value == D(100)
    # (10,4 − 0) / 5,2 × 100 = 200
    assert mirror("5.2", "0").value == D(200)


def test_it_keeps_a_mirror_capaian_below_zero():
    # Target 5, realised 11 (more than twice the target): (10 − 11) / 5 × 100 = −20
    result = mirror("5", "11")
    assert result == Result(value=D(-20), state=State.OK)
    assert result.display == "-20,00"
    # Exactly twice the target: (10 − 10) / 5 × 100 = 0
    assert mirror("5", "10").value == D(0)


def test_it_refuses_a_mirror_with_a_target_of_zero():
    assert mirror("0", "4.8").state == State.NO_TARGET


def test_it_mirrors_when_lower_is_better_and_no_formula_is_chosen():
    # Permenpan RB 53/2014's own form: (10,4 − 4,8) / 5,2 × 100
    result = capaian(target=D("5.2"), realisation=D("4.8"), polarity=LOWER)
    assert result == mirror("5.2", "4.8")


# Lower is better, inverse: target / realisation × 100.


def test_it_inverts_a_rate_below_target():
    # 5,2 / 4,8 × 100 = 108,333…
    result = inverse("5.2", "4.8")
    assert result.value == D("108.3333333333333333333333333")
    assert result.display == "108,33"


def test_it_inverts_a_rate_above_target():
    # 5,2 / 6,5 × 100 = 80 (6,5 × 0,8 = 5,2)
    assert inverse("5.2", "6.5").value == D(80)
    # equal: 5,2 / 5,2 × 100 = 100
    assert inverse("5.2", "5.2").value == D(100)


def test_it_refuses_to_invert_a_realisation_of_zero():
    result = inverse("5.2", "0")
    assert result == Result(value=None, state=State.DIVISION_BY_ZERO)
    assert result.display == ""


def test_it_inverts_a_target_of_zero_to_zero():
    # 0 / 3 × 100 = 0: the inverse divides by the realisation, so a zero target is no obstacle
    assert inverse("0", "3") == Result(value=D(0), state=State.OK)


# Missing and negative values.


@pytest.mark.parametrize(("polarity", "formula"), [(HIGHER, ""), (LOWER, MIRROR), (LOWER, INVERSE)])
def test_it_waits_for_a_realisation(polarity, formula):
    result = capaian(target=D(5), realisation=None, polarity=polarity, formula=formula)
    assert result == Result(value=None, state=State.MISSING)
    assert result.display == ""
    assert capaian(target=None, realisation=None, polarity=polarity, formula=formula).state == State.MISSING


@pytest.mark.parametrize(("polarity", "formula"), [(HIGHER, ""), (LOWER, MIRROR), (LOWER, INVERSE)])
def test_it_says_when_there_is_no_target(polarity, formula):
    result = capaian(target=None, realisation=D(5), polarity=polarity, formula=formula)
    assert result == Result(value=None, state=State.TARGET_MISSING)


@pytest.mark.parametrize(("polarity", "formula"), [(HIGHER, ""), (LOWER, MIRROR), (LOWER, INVERSE)])
@pytest.mark.parametrize(("target", "realisation"), [("5", "-1"), ("-5", "1"), ("-5", "-1"), ("0", "-1"), ("-5", "0")])
def test_it_refuses_negative_values_before_dividing(polarity, formula, target, realisation):
    # ("0", "-1") would otherwise be NO_TARGET and ("-5", "0") DIVISION_BY_ZERO for the inverse
    result = capaian(target=D(target), realisation=D(realisation), polarity=polarity, formula=formula)
    assert result == Result(value=None, state=State.NEGATIVE)


def test_it_allows_negative_values_where_the_unit_does():
    # Growth target 5 %, realised −1 %: −1 / 5 × 100 = −20
    assert higher("5", "-1", allow_negative=True).value == D(-20)
    # A deficit of −10 targeted, −12 realised: −12 / −10 × 100 = 120
    assert higher("-10", "-12", allow_negative=True).value == D(120)
    # Mirror: (2 × 5 − (−1)) / 5 × 100 = 11 / 5 × 100 = 220
    assert mirror("5", "-1", allow_negative=True).value == D(220)
    # Still no dividing by zero
    assert higher("0", "-1", allow_negative=True).state == State.NO_TARGET
    assert inverse("-5", "0", allow_negative=True).state == State.DIVISION_BY_ZERO


@pytest.mark.parametrize(
    "kwargs",
    [
        {"polarity": "sideways"},
        {"polarity": ""},
        {"polarity": LOWER, "formula": "half"},
        {"polarity": HIGHER, "target": D("NaN")},
        {"polarity": HIGHER, "realisation": D("Infinity")},
    ],
)
def test_it_refuses_what_it_does_not_know(kwargs):
    arguments = {"target": D(5), "realisation": D(4), "formula": "", **kwargs}
    with pytest.raises(ValueError):
        capaian(**arguments)


# Serapan anggaran: realised / budget × 100.


def test_it_computes_absorption():
    # Rp 1.234.567.890 of Rp 1.500.000.000: 1234567890 / 1500000000 = 0,82304526 → 82,304526 %
    result = absorption(budget=parse_id_decimal("1.500.000.000"), realised=parse_id_decimal("1.234.567.890"))
    assert result == Result(value=D("82.304526"), state=State.OK)
    assert result.display == "82,30"


def test_it_shows_overspending_above_100():
    # 110 / 100 × 100 = 110
    assert absorption(budget=D(100), realised=D(110)).value == D(110)


def test_it_gives_zero_absorption_when_nothing_is_spent():
    assert absorption(budget=D(100), realised=D(0)) == Result(value=D(0), state=State.OK)


@pytest.mark.parametrize(
    ("budget", "realised", "state"),
    [
        (D(0), D(5), State.NO_TARGET),
        (D(0), D(0), State.NO_TARGET),
        (D(100), None, State.MISSING),
        (None, D(5), State.TARGET_MISSING),
        (D(100), D(-1), State.NEGATIVE),
        (D(-100), D(1), State.NEGATIVE),
        (D(0), D(-1), State.NEGATIVE),
    ],
)
def test_it_explains_when_there_is_no_absorption(budget, realised, state):
    result = absorption(budget=budget, realised=realised)
    assert result == Result(value=None, state=state)
    assert result.display == ""


# Rating bands, judged on the value as the reader sees it (rounded half up to 2 places).


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("91", "Sangat Baik"),
        ("90.99", "Baik"),
        ("90.995", "Sangat Baik"),  # shown as 91,00
        ("90.994", "Baik"),  # shown as 90,99
        ("100", "Sangat Baik"),
        ("540.63", "Sangat Baik"),  # over 100 stays in the top band
        ("540.625", "Sangat Baik"),
        ("76", "Baik"),
        ("75.99", "Cukup"),
        ("75.995", "Baik"),
        ("66", "Cukup"),
        ("65.99", "Kurang"),
        ("51", "Kurang"),
        ("50.99", "Sangat Kurang"),
        ("0", "Sangat Kurang"),
        ("-20", "Sangat Kurang"),
        ("107.6923076923076923076923077", "Sangat Baik"),
        ("84.61538461538461538461538462", "Baik"),
    ],
)
def test_it_rates_by_band(value, label):
    assert rating(D(value)).label == label


def test_it_rates_nothing_without_a_value():
    assert rating(None) is None


def test_it_tries_bands_highest_first_whatever_their_order():
    bands = [
        Band(minimum=None, label="rest"),
        Band(minimum=D(50), label="half"),
        Band(minimum=D(100), label="all"),
        Band(minimum=D(-10), label="some"),
    ]
    check_bands(bands)
    assert rating(D(120), bands).label == "all"
    assert rating(D("99.995"), bands).label == "all"
    assert rating(D("99.99"), bands).label == "half"
    assert rating(D(0), bands).label == "some"
    assert rating(D(-10), bands).label == "some"
    assert rating(D("-10.01"), bands).label == "rest"


def test_it_rates_nothing_below_the_bands_without_a_catch_all():
    assert rating(D(10), [Band(minimum=D(50), label="half")]) is None
    assert rating(D(10), []) is None


def test_it_accepts_the_default_bands():
    check_bands(DEFAULT_BANDS)


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ([Band(D(91), "a"), Band(D(91), "b"), Band(None, "c")], "Two rating bands start at the same value."),
        ([Band(D(91), "a"), Band(D("91.00"), "b"), Band(None, "c")], "Two rating bands start at the same value."),
        ([Band(D(91), "a"), Band(D(76), "b")], "One rating band must have no minimum, to catch the lowest values."),
        ([], "One rating band must have no minimum, to catch the lowest values."),
        ([Band(None, "a"), Band(None, "b")], "Only one rating band may have no minimum."),
    ],
)
def test_it_refuses_bands_that_overlap_or_leave_a_gap(bands, message):
    with translation.override("en"), pytest.raises(ValueError) as caught:
        check_bands(bands)
    assert str(caught.value) == message


def test_it_labels_every_choice():
    for choices in (Polarity, LowerFormula, State):
        for value, label in choices.choices:
            assert value
            assert str(label)


# Properties: the code agrees with the formulas evaluated independently, on exact fractions.


def _half_up(value: Fraction) -> Fraction:
    """Round to 2 places, half away from zero."""
    magnitude = Fraction(floor(abs(value) * 100 + Fraction(1, 2)), 100)
    return -magnitude if value < 0 else magnitude


def _band(shown: Fraction) -> str:
    if shown >= 91:
        return "Sangat Baik"
    if shown >= 76:
        return "Baik"
    if shown >= 66:
        return "Cukup"
    if shown >= 51:
        return "Kurang"
    return "Sangat Kurang"


# Wider than the models hold targets and realisations (NUMBER: 15 digits, 4 of them decimals).
finite = {"allow_nan": False, "allow_infinity": False}
widest = D("9999999999999999.9999")
# The everyday range as well, where capaian lands near the band edges.
targets = st.one_of(
    st.decimals(min_value=D("0.0001"), max_value=widest, places=4, **finite),
    st.decimals(min_value=D("0.01"), max_value=1000, places=2, **finite),
)
realisations = st.one_of(
    st.decimals(min_value=0, max_value=widest, places=4, **finite),
    st.decimals(min_value=0, max_value=1000, places=2, **finite),
)
rules = st.sampled_from([(HIGHER, ""), (LOWER, MIRROR), (LOWER, INVERSE), (LOWER, "")])


@settings(max_examples=500, deadline=None)
@given(target=targets, realisation=realisations, rule=rules)
def test_it_agrees_with_the_formulas_on_exact_fractions(target, realisation, rule):
    _agrees_with_exact_fractions(target, realisation, rule)


# The edges of what the models store, negatives included (for an indicator that allows them): the mirror
# of a negative realisation has the largest numerator, 3 × 99.999.999.999,9999.
stored_max = D(10) ** (NUMBER["max_digits"] - NUMBER["decimal_places"]) - D(1).scaleb(-NUMBER["decimal_places"])
stored = st.one_of(
    st.sampled_from([stored_max, -stored_max, D("0.0001"), D("-0.0001"), D(0)]),
    st.decimals(min_value=-stored_max, max_value=stored_max, places=NUMBER["decimal_places"], **finite),
    st.decimals(min_value=-1, max_value=1, places=NUMBER["decimal_places"], **finite),
)


@settings(max_examples=500, deadline=None)
@given(target=stored, realisation=stored, rule=rules)
def test_it_agrees_with_the_formulas_at_the_edges_of_what_is_stored(target, realisation, rule):
    _agrees_with_exact_fractions(target, realisation, rule, allow_negative=True)


def _agrees_with_exact_fractions(target, realisation, rule, **kwargs):
    polarity, formula = rule
    t, r = Fraction(target), Fraction(realisation)
    result = capaian(target=target, realisation=realisation, polarity=polarity, formula=formula, **kwargs)
    if polarity == LOWER and formula == INVERSE:
        if r == 0:
            assert result == Result(value=None, state=State.DIVISION_BY_ZERO)
            return
        exact = t / r * 100
    elif t == 0:
        assert result == Result(value=None, state=State.NO_TARGET)
        return
    elif polarity == HIGHER:
        exact = r / t * 100
    else:
        exact = (2 * t - r) / t * 100
    assert result.state == State.OK
    # 28 significant digits: within a relative 10⁻²⁷ of the exact value
    assert abs(Fraction(result.value) - exact) <= abs(exact) / 10**27
    # What the reader sees is exactly the exact value rounded half up
    assert Fraction(round_half_up(result.value, 2)) == _half_up(exact)
    assert Fraction(parse_id_decimal(result.display)) == _half_up(exact)
    assert rating(result.value).label == _band(_half_up(exact))


near_an_edge = st.builds(
    lambda edge, offset: edge + offset,
    st.sampled_from([D(51), D(66), D(76), D(91)]),
    st.decimals(min_value=D("-0.01"), max_value=D("0.01"), places=4, **finite),
)


@settings(deadline=None)
@given(value=st.one_of(st.decimals(min_value=-1000, max_value=1000, places=6, **finite), near_an_edge))
def test_it_rates_like_a_direct_band_lookup(value):
    assert rating(value).label == _band(_half_up(Fraction(value)))


@settings(deadline=None)
@given(
    budget=st.decimals(min_value=D("0.01"), max_value=D("9999999999999999.99"), places=2, **finite),
    realised=st.decimals(min_value=0, max_value=D("9999999999999999.99"), places=2, **finite),
)
def test_it_agrees_with_exact_absorption(budget, realised):
    exact = Fraction(realised) / Fraction(budget) * 100
    result = absorption(budget=budget, realised=realised)
    assert result.is_ok
    assert abs(Fraction(result.value) - exact) <= exact / 10**27
    assert Fraction(parse_id_decimal(result.display)) == _half_up(exact)
