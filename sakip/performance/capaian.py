"""Capaian (achievement) of an indicator and serapan (absorption) of a budget, per Permenpan RB 53/2014."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from django.db.models import TextChoices
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sakip.lib.numbers import format_id_decimal, round_half_up

# One division, rounded to 28 significant digits. With a = A/10⁴ and b = B/10⁴ (whole A, B), a quotient
# 100·A/B that is not exactly on a half-cent is at least 1/(200·B) away from it, while the division errs
# by at most 100·A/B · 10⁻²⁷: smaller whenever A < 5·10²², far beyond the 3·10¹⁵ of the largest mirror
# numerator the models allow (2 × 99.999.999.999,9999 + 99.999.999.999,9999); a quotient exactly on a
# half-cent has at most 21 digits and comes out exact. So rounding the result half up to 2 places always
# gives what exact arithmetic would.
_PRECISION = 28
_HUNDRED = Decimal(100)


class Polarity(TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")


class LowerFormula(TextChoices):
    MIRROR = "mirror", _("(2 × target − realisation) / target × 100")
    INVERSE = "inverse", _("target / realisation × 100")


class State(TextChoices):
    OK = "ok", _("calculated")
    MISSING = "missing", _("no realisation yet")
    TARGET_MISSING = "target_missing", _("no target set")
    NO_TARGET = "no_target", _("target is zero: cannot divide")
    DIVISION_BY_ZERO = "division_by_zero", _("realisation is zero: cannot divide")
    NEGATIVE = "negative", _("a negative value is not allowed for this unit")


@dataclass(frozen=True)
class Result:
    """A percentage, unrounded, or the reason there is none."""

    value: Decimal | None
    state: str

    @property
    def is_ok(self) -> bool:
        return self.state == State.OK

    @property
    def display(self) -> str:
        return format_id_decimal(self.value, 2) if self.is_ok else ""

    @property
    def state_label(self) -> str:
        """Why there is no value, in words: shown instead of a number."""
        return State(self.state).label


def _percentage(numerator: Decimal, denominator: Decimal) -> Result:
    with localcontext() as context:
        context.prec = _PRECISION
        # Multiply before dividing: the product is exact, so the division is the only rounding.
        return Result(value=numerator * _HUNDRED / denominator, state=State.OK)


def _check_finite(**values: Decimal | None) -> None:
    for name, value in values.items():
        if value is not None and not value.is_finite():
            raise ValueError(f"{name} must be a finite number, got {value}")


def capaian(
    *,
    target: Decimal | None,
    realisation: Decimal | None,
    polarity: str,
    formula: str = "",
    allow_negative: bool = False,
) -> Result:
    """The capaian in percent; above 100 is kept as it is, and a mirror capaian may fall below zero.

    Higher is better: realisation / target × 100. Lower is better: by ``formula``, mirror
    (2 × target − realisation) / target × 100 or inverse target / realisation × 100. A lower-is-better
    indicator without a formula uses the mirror, the form Permenpan RB 53/2014 gives.
    """
    if polarity not in Polarity.values:
        raise ValueError(f"Unknown polarity {polarity!r}")
    if formula and formula not in LowerFormula.values:
        raise ValueError(f"Unknown formula {formula!r}")
    _check_finite(target=target, realisation=realisation)
    if realisation is None:
        return Result(value=None, state=State.MISSING)
    if target is None:
        return Result(value=None, state=State.TARGET_MISSING)
    if not allow_negative and (target < 0 or realisation < 0):
        return Result(value=None, state=State.NEGATIVE)
    if polarity == Polarity.LOWER and formula == LowerFormula.INVERSE:
        if realisation == 0:
            return Result(value=None, state=State.DIVISION_BY_ZERO)
        return _percentage(target, realisation)
    if target == 0:
        return Result(value=None, state=State.NO_TARGET)
    if polarity == Polarity.HIGHER:
        return _percentage(realisation, target)
    return _percentage(2 * target - realisation, target)


def absorption(*, budget: Decimal | None, realised: Decimal | None) -> Result:
    """Serapan anggaran: the part of the budget ceiling (pagu) spent, in percent; overspending shows above 100."""
    _check_finite(budget=budget, realised=realised)
    if realised is None:
        return Result(value=None, state=State.MISSING)
    if budget is None:
        return Result(value=None, state=State.TARGET_MISSING)
    if budget < 0 or realised < 0:
        return Result(value=None, state=State.NEGATIVE)
    if budget == 0:
        return Result(value=None, state=State.NO_TARGET)
    return _percentage(realised, budget)


@dataclass(frozen=True)
class Band:
    """A rating from ``minimum`` percent upwards; the band without a minimum catches everything below the others."""

    minimum: Decimal | None
    label: str


# The office's own terms: data, not translated.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band(minimum=Decimal(91), label="Sangat Baik"),
    Band(minimum=Decimal(76), label="Baik"),
    Band(minimum=Decimal(66), label="Cukup"),
    Band(minimum=Decimal(51), label="Kurang"),
    Band(minimum=None, label="Sangat Kurang"),
)


def check_bands(bands: Sequence[Band]) -> None:
    """Raise ValueError, with a message for the reader, unless minima differ and one band catches the rest."""
    minima = [band.minimum for band in bands]
    catch_alls = minima.count(None)
    if catch_alls == 0:
        raise ValueError(gettext("One rating band must have no minimum, to catch the lowest values."))
    if catch_alls > 1:
        raise ValueError(gettext("Only one rating band may have no minimum."))
    if len(set(minima)) != len(minima):
        raise ValueError(gettext("Two rating bands start at the same value."))


def rating(value: Decimal | None, bands: Sequence[Band] = DEFAULT_BANDS) -> Band | None:
    """The band of ``value`` as the reader sees it: rounded half up to 2 places, so 90,995 is "91,00", Sangat Baik."""
    if value is None:
        return None
    shown = round_half_up(value, 2)
    # Highest minimum first, the catch-all last.
    for band in sorted(bands, key=lambda band: (band.minimum is None, -(band.minimum or 0))):
        if band.minimum is None or shown >= band.minimum:
            return band
    return None
