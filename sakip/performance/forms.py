"""Forms for the agreement and the realisation; numbers typed the Indonesian way (1.234,56)."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sakip.lib.numbers import NumberFormatError, format_id_decimal, parse_id_decimal
from sakip.performance.capaian import Polarity
from sakip.performance.models import Agreement, Indicator, Objective, Programme

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
    """A Decimal typed as "1.234,56"; stored exactly."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *, max_digits: int = 20, decimal_places: int = 4, allow_negative: bool = True, **kwargs):
        self.max_digits, self.decimal_places, self.allow_negative = max_digits, decimal_places, allow_negative
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_id_decimal(value)
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
        _sign, digits, exponent = number.as_tuple()
        places = max(0, -exponent)
        if places > self.decimal_places:
            raise ValidationError(
                _("At most %(places)s digits after the comma.") % {"places": self.decimal_places}, code="places"
            )
        if len(digits) - places > self.max_digits - self.decimal_places:
            raise ValidationError(_("This number is too large."), code="max_digits")
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
            self.fields[name].widget.attrs.update(inputmode="numeric", pattern="[0-9]{18}")

    def _clean_nip(self, name):
        nip = self.cleaned_data[name].replace(" ", "")
        if nip and (not nip.isdigit() or len(nip) != 18):
            raise ValidationError(_("A NIP has 18 digits."))
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
    budget = IdDecimalField(label=_("Budget (pagu)"), max_digits=18, decimal_places=2, allow_negative=False)

    class Meta:
        model = Programme
        fields = ["position", "name", "budget"]
        widgets = {"name": forms.Textarea(attrs={"rows": 2})}


IndicatorFormSet = forms.inlineformset_factory(
    Objective, Indicator, form=IndicatorForm, extra=1, can_delete=True, min_num=0
)
ProgrammeFormSet = forms.inlineformset_factory(
    Objective, Programme, form=ProgrammeForm, extra=1, can_delete=True, min_num=0
)


class RealisationForm(forms.Form):
    """One indicator's realisation; the field knows whether the indicator allows negatives."""

    realisation = IdDecimalField(label=_("Realisation"), required=False)
    helped = forms.CharField(label=_("What helped"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    held_back = forms.CharField(label=_("What held it back"), required=False, widget=forms.Textarea(attrs={"rows": 1}))

    def __init__(self, *args, result=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.result = result
        if result is not None:
            self.fields["realisation"].allow_negative = result.indicator.allow_negative


class BudgetForm(forms.Form):
    realised = IdDecimalField(
        label=_("Budget realised"), required=False, max_digits=18, decimal_places=2, allow_negative=False
    )

    def __init__(self, *args, result=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.result = result


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Filled-in Excel file (.xlsx)"))
