"""Forms for the agreement and the realisation; numbers typed the Indonesian way (1.234,56)."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sakip.accounts.nip import normalise_nip, validate_nip
from sakip.lib.numbers import NumberFormatError, format_id_decimal, format_in_decimals, parse_id_decimal, strip_zeros
from sakip.performance.capaian import Polarity
from sakip.performance.models import (
    MONEY,
    NUMBER,
    RESULT_TEXT_MAX_LENGTH,
    Agreement,
    Indicator,
    IndicatorResult,
    Objective,
    Programme,
    ProgrammeResult,
    decimals_problem,
)

# NumberFormatError.code → what the person reads.
NUMBER_MESSAGES = {
    "empty": _("Enter a number."),
    "too_long": _("The number is too long."),
    "several_commas": _("Use one comma only, before the decimals."),
    "invalid": _("Enter a number such as 1.234,56."),
    "bad_grouping": _(
        "A dot separates thousands and must be followed by three digits; write decimals with a comma (12,5)."
    ),
}


class IdDecimalField(forms.Field):
    """A Decimal typed as "1.234,56", within the size of the model field it goes to (NUMBER by default).

    The size is checked here, at the field: a larger value would not be stored exactly (SQLite keeps 15
    significant digits) or not at all (PostgreSQL refuses it with an error, a 500).
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(
        self,
        *,
        max_digits: int = NUMBER["max_digits"],
        decimal_places: int = NUMBER["decimal_places"],
        allow_negative: bool = True,
        **kwargs,
    ):
        self.max_digits, self.decimal_places, self.allow_negative = max_digits, decimal_places, allow_negative
        # The decimals the indicator takes, when the field knows its indicator (set_indicator); None: any that fit.
        self.decimals: int | None = None
        self.unit = ""
        super().__init__(**kwargs)

    def set_indicator(self, decimals: int, unit: str) -> None:
        """Values for an indicator that takes ``decimals`` decimals, counted in ``unit``."""
        self.decimals, self.unit = decimals, unit
        if decimals == 0:
            self.widget.attrs["inputmode"] = "numeric"  # a phone shows digits, no comma

    @property
    def largest(self) -> Decimal:
        """All nines: 99.999.999.999,9999 for NUMBER."""
        return Decimal(1).scaleb(self.max_digits - self.decimal_places) - Decimal(1).scaleb(-self.decimal_places)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_id_decimal(value) if self.decimals is None else format_in_decimals(value, self.decimals)
        return value

    def to_python(self, value) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal):
            number = value
        else:
            try:
                number = parse_id_decimal(str(value))
            except NumberFormatError as exc:
                raise ValidationError(
                    NUMBER_MESSAGES.get(exc.code, NUMBER_MESSAGES["invalid"]), code=exc.code
                ) from None
        if not number.is_finite():  # only a Decimal handed in by code can be; typed text never is
            raise ValidationError(NUMBER_MESSAGES["invalid"], code="invalid")
        number = strip_zeros(number)  # "1,50000" is 1,5: exact, and within four places
        if self.decimals is not None and self.decimals < self.decimal_places:  # else the column's own limit below
            typed = value if isinstance(value, str) else ""
            if problem := decimals_problem(number, self.decimals, self.unit, typed):
                raise ValidationError(problem, code="decimals")
        _sign, digits, exponent = number.as_tuple()
        places = max(0, -exponent)
        if places > self.decimal_places:
            raise ValidationError(
                _("At most %(places)s digits after the comma.") % {"places": self.decimal_places}, code="places"
            )
        if len(digits) - places > self.max_digits - self.decimal_places:
            raise ValidationError(
                _("At most %(digits)s digits before the comma (the largest is %(largest)s).")
                % {"digits": self.max_digits - self.decimal_places, "largest": format_id_decimal(self.largest)},
                code="max_digits",
            )
        if number < 0 and not self.allow_negative:
            raise ValidationError(_("This value cannot be negative."), code="negative")
        return number


class AgreementForm(forms.ModelForm):
    # NIPs are often written in groups ("19700101 199503 1 001"): accept the spaces, store the 18 digits.
    first_party_nip = forms.CharField(label=_("First party: NIP"), max_length=30, required=False)
    second_party_nip = forms.CharField(label=_("Second party: NIP"), max_length=30, required=False)

    class Meta:
        model = Agreement
        fields = [
            "year",
            "instansi",
            "first_party_name",
            "first_party_position",
            "first_party_nip",
            "second_party_name",
            "second_party_position",
            "second_party_nip",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))
        for name in ("first_party_nip", "second_party_nip"):
            # Spaces between the groups are allowed here too, as the comment above promises.
            self.fields[name].widget.attrs.update(inputmode="numeric", pattern="( *[0-9]){18} *")

    def _clean_nip(self, name):
        # The same check as a person's NIP: ASCII digits with a real birth date and appointment month.
        nip = normalise_nip(self.cleaned_data[name])
        if nip:
            validate_nip(nip)
        return nip

    def clean_first_party_nip(self):
        return self._clean_nip("first_party_nip")

    def clean_second_party_nip(self):
        return self._clean_nip("second_party_nip")


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["position", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class IndicatorForm(forms.ModelForm):
    target = IdDecimalField(label=_("Target"))
    target_q1 = IdDecimalField(label=_("Quarter I"), required=False)
    target_q2 = IdDecimalField(label=_("Quarter II"), required=False)
    target_q3 = IdDecimalField(label=_("Quarter III"), required=False)
    target_q4 = IdDecimalField(label=_("Quarter IV"), required=False)

    class Meta:
        model = Indicator
        fields = [
            "position",
            "name",
            "unit",
            "explanation",
            "decimals",
            "target",
            "polarity",
            "lower_formula",
            "allow_negative",
            "target_q1",
            "target_q2",
            "target_q3",
            "target_q4",
        ]
        widgets = {"name": forms.Textarea(attrs={"rows": 2}), "explanation": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        polarity, formula = data.get("polarity"), data.get("lower_formula")
        if polarity == Polarity.LOWER and not formula:
            self.add_error("lower_formula", _("Choose the formula for an indicator where lower is better."))
        if polarity == Polarity.HIGHER and formula:
            data["lower_formula"] = ""
        target = data.get("target")
        if target is not None and target < 0 and not data.get("allow_negative"):
            self.add_error("target", _("This value cannot be negative."))
        return data


class ProgrammeForm(forms.ModelForm):
    budget = IdDecimalField(label=_("Budget (pagu)"), allow_negative=False, **MONEY)

    class Meta:
        model = Programme
        fields = ["position", "name", "budget"]
        widgets = {"name": forms.Textarea(attrs={"rows": 2})}


class KeepRowsInUse(forms.BaseInlineFormSet):
    """Refuses to remove an indicator or programme that a document's measurement was made from."""

    def clean(self):
        super().clean()
        in_use = [
            form.instance for form in self.deleted_forms if form.instance.pk and _used_by_a_measurement(form.instance)
        ]
        if in_use:
            raise ValidationError(
                _("Documents were started with %(names)s: it cannot be removed. Change it instead.")
                % {"names": ", ".join(f"“{item.name[:80]}”" for item in in_use)}
            )


def _used_by_a_measurement(item: Indicator | Programme) -> bool:
    if isinstance(item, Indicator):
        return IndicatorResult.objects.filter(indicator=item).exists()
    return ProgrammeResult.objects.filter(programme=item).exists()


IndicatorFormSet = forms.inlineformset_factory(
    Objective, Indicator, form=IndicatorForm, formset=KeepRowsInUse, extra=1, can_delete=True, min_num=0
)
ProgrammeFormSet = forms.inlineformset_factory(
    Objective, Programme, form=ProgrammeForm, formset=KeepRowsInUse, extra=1, can_delete=True, min_num=0
)


class RealisationForm(forms.Form):
    """One indicator's realisation; the field knows whether the indicator allows negatives."""

    realisation = IdDecimalField(label=_("Realisation"), required=False)
    helped = forms.CharField(
        label=_("What helped"),
        required=False,
        max_length=RESULT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 1}),
    )
    held_back = forms.CharField(
        label=_("What held it back"),
        required=False,
        max_length=RESULT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 1}),
    )

    def __init__(self, *args, result=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.result = result
        if result is not None:
            self.fields["realisation"].allow_negative = result.allow_negative
            self.fields["realisation"].set_indicator(result.decimals, result.unit)


class BudgetForm(forms.Form):
    realised = IdDecimalField(label=_("Budget realised"), required=False, allow_negative=False, **MONEY)

    def __init__(self, *args, result=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.result = result


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Filled-in Excel file (.xlsx)"))
