"""Form pieces for editing SOPs."""

from __future__ import annotations

import copy

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from sakip.sops.definition import definition_problems, spec_of
from sakip.sops.models import Actor, Step


class LinesField(forms.CharField):
    """A list of texts edited as a textarea, one item per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("One item per line."))
        kwargs.setdefault("required", False)
        super().__init__(strip=False, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class NewRevisionForm(forms.Form):
    note = forms.CharField(
        label=_("What will change"),
        max_length=300,
        required=False,
        help_text=_("Shown in the revision history."),
    )


class CopySopForm(forms.Form):
    slug = forms.SlugField(label=_("Code of the copy"), max_length=80)
    nama = forms.CharField(label=_("SOP name"), max_length=300)

    def clean_slug(self):
        from sakip.sops.models import Sop

        slug = self.cleaned_data["slug"]
        if Sop.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("An SOP with this code already exists."))
        return slug


# One message for every time that is not a whole number of 1 or more: 0 and -5 used to get two
# different ones (the definition rule's, and the model field's "greater than or equal to 0").
TIME_MESSAGE = _("The time must be a whole number greater than zero.")


class StepForm(forms.ModelForm):
    """A step with every field of the model (whatever fields it gains), on its own page or inserted between two.

    The actor is one of the SOP's own actors. An existing step is checked with its SOP's other steps
    against the definition rules, as the SOP's steps table checks them.
    """

    class Meta:
        model = Step
        # Every field but the SOP, so that a field the model gains shows up here without a change.
        exclude = ["sop"]  # noqa: DJ006

    # The fields of the steps table first, in its order; then every other field in the model's order.
    field_order = ["number", "activity", "actor", "kind", "return_to", "duration", "duration_unit"]

    def __init__(self, *args, sop=None, **kwargs):
        super().__init__(*args, **kwargs)
        restrict_step_fields(self.fields, sop if sop is not None else getattr(self.instance, "sop", None))
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.errors:
            return cleaned
        candidate = copy.copy(self.instance)
        for name, value in cleaned.items():
            setattr(candidate, name, value)
        others = Step.objects.filter(sop_id=self.instance.sop_id).exclude(pk=self.instance.pk)
        for _numbers, message in definition_problems([*map(spec_of, others), spec_of(candidate)]):
            self.add_error(None, message)
        return cleaned


class InsertStepForm(StepForm):
    """A new step: its number is the place it is inserted at."""

    class Meta(StepForm.Meta):
        exclude = ["sop", "number"]  # noqa: DJ006


def restrict_step_fields(fields: dict[str, forms.Field], sop) -> None:
    """What a step form has wherever it appears: the SOP's own actors, and one message for a time below 1."""
    actor = fields.get("actor")
    if actor is not None:
        actor.queryset = Actor.objects.filter(sop=sop).order_by("position") if sop is not None else Actor.objects.none()
    duration = fields.get("duration")
    if duration is not None:
        duration.min_value = 1
        duration.widget.attrs["min"] = 1
        duration.validators = [v for v in duration.validators if not isinstance(v, MinValueValidator)]
        duration.validators.append(MinValueValidator(1, message=TIME_MESSAGE))
        duration.error_messages["invalid"] = TIME_MESSAGE
