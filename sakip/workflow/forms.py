"""Forms of the workflow pages."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sakip.workflow.models import Document, HistoryEntry
from sakip.workflow.services import title_problem


def posted_version(request) -> int | None:
    """The document version a posted form was read at (its hidden ``version``), or None when missing or malformed."""
    value = request.POST.get("version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by the workflow service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class StartDocumentForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Leave empty for the usual title.")
    )
    # Whether the tick and the file are needed is the first step's data; the service decides and says why.
    requirements_confirmed = forms.BooleanField(label=_("The requirements are complete"), required=False)
    files = MultipleFileField(label=_("Attachments"), help_text=_("PDF, images, Word or Excel."))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, first_step=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        if first_step is not None and first_step.requirement:
            self.fields["requirements_confirmed"].label = _("Complete: %(requirement)s") % {
                "requirement": first_step.requirement
            }
            self.fields["files"].label = _("Attach: %(requirement)s") % {"requirement": first_step.requirement}
        else:
            del self.fields["requirements_confirmed"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Start")))

    def clean_title(self):
        title = self.cleaned_data["title"]
        if problem := title_problem(title):
            raise forms.ValidationError(problem)
        return title


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=HistoryEntry.Action.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    requirements_confirmed = forms.BooleanField(label=_("The requirements are complete"), required=False)
    note = forms.CharField(label=_("Output / note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    files = MultipleFileField(label=_("Attachments"), help_text=_("PDF, images, Word or Excel."))
    reason = forms.CharField(
        label=_("Reason (required to return)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, step=None, **kwargs):
        super().__init__(*args, **kwargs)
        if step is not None:
            if step.requirement:
                self.fields["requirements_confirmed"].label = _("Complete: %(requirement)s") % {
                    "requirement": step.requirement
                }
            if step.output:
                self.fields["note"].label = _("Output: %(output)s") % {"output": step.output}
            if step.attachment_required:
                self.fields["files"].label = _("Attach: %(output)s") % {"output": step.output}


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        # Shown on the same page as the action form, whose fields have the same names: ids must differ.
        kwargs.setdefault("auto_id", "id_cancel_%s")
        super().__init__(*args, **kwargs)


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("all")), *Document.Status.choices])
    step = forms.IntegerField(label=_("Step"), required=False, min_value=1)
