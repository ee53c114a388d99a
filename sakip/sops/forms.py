"""Form pieces for editing SOPs."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
