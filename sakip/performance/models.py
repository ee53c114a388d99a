"""The Perjanjian Kinerja (objectives, indicators with targets, programmes with budgets) and its measurement."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from sakip.lib.numbers import decimal_places, thousands_meant
from sakip.performance.capaian import Band, LowerFormula, Polarity, Result, absorption, capaian
from sakip.workflow.models import Document, HistoryEntry

# Targets and realisations: exact decimals. SQLite keeps 15 significant digits (a REAL), so no field
# holds more: 99.999.999.999,9999 for a count or a percentage, 9.999.999.999.999,99 rupiah for a
# budget (more than a kabupaten's whole APBD). Every path that writes them checks these sizes.
NUMBER = {"max_digits": 15, "decimal_places": 4}
MONEY = {"max_digits": 15, "decimal_places": 2}
# Years an agreement may be for: those of the forms and filters.
YEAR_MIN, YEAR_MAX = 2000, 2100
# How many decimals an indicator's target and realisation take: 0 where the unit counts things
# (orang, kasus, dokumen), so that "1,205" orang (one point two zero five) is refused, not kept.
DECIMALS_CHOICES = [(0, _("0 (whole numbers)")), (1, "1"), (2, "2"), (3, "3"), (4, "4")]
DEFAULT_DECIMALS = 2
DECIMALS_HELP = _("Digits after the comma in the target and the realisation: 0 for a unit that counts things.")


def decimals_problem(value: Decimal | None, decimals: int, unit: str = "", typed: str = "") -> str:
    """Why ``value`` does not fit an indicator that takes ``decimals`` decimals; "" when it does.

    ``typed`` is the text the value was read from, if any: "1,205" typed for a whole number was most
    likely meant as one thousand two hundred five, and the message then says how to write that.
    """
    if not isinstance(value, Decimal) or not value.is_finite() or decimal_places(value) <= decimals:
        return ""  # None, a whole int, or a value refused for what it is elsewhere
    if decimals == 0:
        unit = unit.strip()
        if any(character.isalpha() for character in unit):
            message = gettext("The number of %(unit)s must be a whole number.") % {"unit": unit}
        else:
            message = gettext("This indicator takes whole numbers only.")
        meant = thousands_meant(typed)
        if meant:
            message += " " + gettext("Thousands are separated with a dot: %(number)s.") % {"number": meant}
        return message
    return ngettext(
        "At most %(places)s decimal for this indicator.", "At most %(places)s decimals for this indicator.", decimals
    ) % {"places": decimals}


# Longest "faktor pendukung / penghambat" kept: a paragraph, not a report.
RESULT_TEXT_MAX_LENGTH = 2000


class Agreement(models.Model):
    """One year's Perjanjian Kinerja of the office, between its head and the head of the region."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    instansi = models.CharField(_("agency"), max_length=200, default="Dinas Tenaga Kerja Kabupaten Lamongan")
    first_party_name = models.CharField(_("first party: name"), max_length=150)
    first_party_position = models.CharField(_("first party: position"), max_length=200)
    first_party_nip = models.CharField(_("first party: NIP"), max_length=18, blank=True)
    second_party_name = models.CharField(_("second party: name"), max_length=150)
    second_party_position = models.CharField(_("second party: position"), max_length=200)
    second_party_nip = models.CharField(_("second party: NIP"), max_length=18, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Moved on whenever an objective, indicator or programme changes (receivers.py): a measurement whose
    # copy was taken at this moment has nothing to take in, and the page need not compare row by row.
    revised_at = models.DateTimeField(_("content revised at"), default=timezone.now)

    class Meta:
        verbose_name = _("performance agreement")
        verbose_name_plural = _("performance agreements")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Perjanjian Kinerja {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("performance:agreement", args=[self.year])

    def is_locked(self) -> bool:
        """Targets a signed measurement was judged against never change afterwards."""
        return self.measurements.filter(document__signature__isnull=False).exists()


class Objective(models.Model):
    """A Sasaran Strategis."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField(_("no."))
    text = models.TextField(_("strategic objective"))

    class Meta:
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        ordering = ["agreement", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Indicator(models.Model):
    """An Indikator Kinerja with its target and the rule that turns a realisation into capaian."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("no."))
    name = models.TextField(_("performance indicator"))
    unit = models.CharField(_("unit"), max_length=40)
    explanation = models.TextField(_("explanation / formula"), blank=True)
    decimals = models.PositiveSmallIntegerField(
        _("decimals"), choices=DECIMALS_CHOICES, default=DEFAULT_DECIMALS, help_text=DECIMALS_HELP
    )
    target = models.DecimalField(_("target"), **NUMBER)
    polarity = models.CharField(_("polarity"), max_length=8, choices=Polarity.choices, default=Polarity.HIGHER)
    lower_formula = models.CharField(
        _("formula when lower is better"), max_length=8, choices=LowerFormula.choices, blank=True
    )
    allow_negative = models.BooleanField(_("negative values allowed"), default=False)
    target_q1 = models.DecimalField(_("target quarter I"), null=True, blank=True, **NUMBER)
    target_q2 = models.DecimalField(_("target quarter II"), null=True, blank=True, **NUMBER)
    target_q3 = models.DecimalField(_("target quarter III"), null=True, blank=True, **NUMBER)
    target_q4 = models.DecimalField(_("target quarter IV"), null=True, blank=True, **NUMBER)

    class Meta:
        verbose_name = _("performance indicator")
        verbose_name_plural = _("performance indicators")
        ordering = ["objective__position", "objective", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Every target within the indicator's decimals: checked here, so the agreement page and the admin agree."""
        super().clean()
        if self.decimals not in dict(DECIMALS_CHOICES):
            return  # refused at its own field
        errors = {}
        for name in ("target", "target_q1", "target_q2", "target_q3", "target_q4"):
            value = getattr(self, name)
            if isinstance(value, Decimal) and (problem := decimals_problem(value, self.decimals, self.unit)):
                errors[name] = problem
        if errors:
            raise ValidationError(errors)

    def capaian(self, realisation: Decimal | None) -> Result:
        return capaian(
            target=self.target,
            realisation=realisation,
            polarity=self.polarity,
            formula=self.lower_formula,
            allow_negative=self.allow_negative,
        )


class Programme(models.Model):
    """A programme serving an objective, with its budget ceiling (pagu)."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="programmes")
    position = models.PositiveSmallIntegerField(_("no."))
    name = models.TextField(_("programme"))
    budget = models.DecimalField(_("budget (pagu)"), **MONEY)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["objective__position", "objective", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class RatingBand(models.Model):
    """Where a capaian falls: "≥ 91 sangat baik" and so on. The lowest band has no minimum."""

    minimum = models.DecimalField(_("from (%)"), null=True, blank=True, unique=True, max_digits=8, decimal_places=2)
    label = models.CharField(_("rating"), max_length=60)

    class Meta:
        verbose_name = _("rating band")
        verbose_name_plural = _("rating bands")
        ordering = [models.F("minimum").desc(nulls_last=True)]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def bands(cls) -> list[Band]:
        return [Band(minimum=b.minimum, label=b.label) for b in cls.objects.all()]


class Measurement(models.Model):
    """The Pengukuran Kinerja a document carries: the realisation of one agreement."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="measurement")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="measurements")
    # The agreement's revised_at when the copy was taken or last brought up to date.
    agreement_revised_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        verbose_name = _("performance measurement")
        verbose_name_plural = _("performance measurements")

    def __str__(self) -> str:
        return str(self.document)


SHEET_ORDER = ("objective_position", "objective_text", "position", "pk")


class ResultQuerySet(models.QuerySet):
    def in_sheet_order(self) -> ResultQuerySet:
        """As the office's form lists them: by objective, then by number within it.

        Rows already loaded in this order (the document page prefetches them once for its panel and
        its content digest) are used as loaded, not read again.
        """
        if self._result_cache is not None and self.query.order_by == SHEET_ORDER:
            return self
        return self.order_by(*SHEET_ORDER)


class IndicatorResult(models.Model):
    """One indicator of a measurement: its own copy of what it is judged against, and its realisation.

    The copy is taken when the document starts, so that editing the agreement never changes a running
    or signed document; the drafter takes later changes in on purpose (services.measurement_take_changes).
    """

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="indicator_results")
    # The agreement's indicator this row was copied from: where later changes are read.
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    objective_position = models.PositiveSmallIntegerField(_("objective no."), default=0)
    objective_text = models.TextField(_("strategic objective"), default="")
    position = models.PositiveSmallIntegerField(_("no."), default=0)
    name = models.TextField(_("performance indicator"), default="")
    unit = models.CharField(_("unit"), max_length=40, default="")
    explanation = models.TextField(_("explanation / formula"), blank=True, default="")
    decimals = models.PositiveSmallIntegerField(_("decimals"), choices=DECIMALS_CHOICES, default=DEFAULT_DECIMALS)
    target = models.DecimalField(_("target"), null=True, **NUMBER)
    polarity = models.CharField(_("polarity"), max_length=8, choices=Polarity.choices, default=Polarity.HIGHER)
    lower_formula = models.CharField(
        _("formula when lower is better"), max_length=8, choices=LowerFormula.choices, blank=True, default=""
    )
    allow_negative = models.BooleanField(_("negative values allowed"), default=False)
    realisation = models.DecimalField(_("realisation"), null=True, blank=True, **NUMBER)
    helped = models.TextField(_("what helped"), blank=True)
    held_back = models.TextField(_("what held it back"), blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measurement", "indicator"], name="one_result_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.realisation}"

    @property
    def capaian(self) -> Result:
        return capaian(
            target=self.target,
            realisation=self.realisation,
            polarity=self.polarity,
            formula=self.lower_formula,
            allow_negative=self.allow_negative,
        )


class ProgrammeResult(models.Model):
    """One programme of a measurement: its own copy of name and budget (as IndicatorResult), and what was spent."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="programme_results")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    objective_position = models.PositiveSmallIntegerField(_("objective no."), default=0)
    objective_text = models.TextField(_("strategic objective"), default="")
    position = models.PositiveSmallIntegerField(_("no."), default=0)
    name = models.TextField(_("programme"), default="")
    budget = models.DecimalField(_("budget (pagu)"), null=True, **MONEY)
    realised = models.DecimalField(_("budget realised"), null=True, blank=True, **MONEY)

    objects = ResultQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measurement", "programme"], name="one_result_per_programme"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.realised}"

    @property
    def absorption(self) -> Result:
        return absorption(budget=self.budget, realised=self.realised)


class Snapshot(models.Model):
    """The realisation as it was handed on from a data step, so a reviewer sees what changed."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="snapshots")
    entry = models.OneToOneField(HistoryEntry, on_delete=models.PROTECT, related_name="snapshot")
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.measurement} @ {self.created_at:%Y-%m-%d %H:%M}"
