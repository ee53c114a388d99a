"""Forms of the workflow pages."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sakip.workflow.models import Document, HistoryEntry
from sakip.workflow.services import DistributionInput, title_problem
from sakip.workflow.twins import Twins, twins_of


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
    # Offered only when documents of the same SOP and year exist (``twins``): a second one is started on purpose.
    twin_confirmed = forms.BooleanField(
        label=_("I have seen the documents above; start another one anyway"), required=False
    )

    def __init__(self, *args, first_step=None, sop=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.twins = self._twins(sop)
        if self.twins:
            self.order_fields(["year", "twin_confirmed"])
        else:
            del self.fields["twin_confirmed"]
        if first_step is not None and first_step.requirement:
            self.fields["requirements_confirmed"].label = _("Complete: %(requirement)s") % {
                "requirement": first_step.requirement
            }
            self.fields["files"].label = _("Attach: %(requirement)s") % {"requirement": first_step.requirement}
        else:
            del self.fields["requirements_confirmed"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Start")))

    def _twins(self, sop) -> Twins | None:
        """The documents of the year asked for (the posted one, else the default) that a new one would duplicate."""
        if sop is None:
            return None
        field = self.fields["year"]
        raw = self.data.get(self.add_prefix("year")) if self.is_bound else field.initial
        try:
            year = field.clean(raw)
        except forms.ValidationError:
            return None  # the year's own error says what is wrong
        return twins_of(sop, year)

    def clean_title(self):
        title = self.cleaned_data["title"]
        if problem := title_problem(title):
            raise forms.ValidationError(problem)
        return title

    def clean_twin_confirmed(self):
        confirmed = self.cleaned_data["twin_confirmed"]
        if not confirmed:
            raise forms.ValidationError(
                _(
                    "A document of this SOP for %(year)s already exists (listed above). Tick this box to start "
                    "another one anyway."
                )
                % {"year": self.twins.year}
            )
        return confirmed


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=HistoryEntry.Action.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    requirements_confirmed = forms.BooleanField(label=_("The requirements are complete"), required=False)
    note = forms.CharField(label=_("Output / note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    files = MultipleFileField(label=_("Attachments"), help_text=_("PDF, images, Word or Excel."))
    reason = forms.CharField(
        label=_("Reason (required to return)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    # At a signature step: signing is deliberate, the signer says so (the service refuses a signature without it).
    signature_confirmed = forms.BooleanField(
        label=_("I have checked the preview and I sign this document"), required=False
    )
    # At a step that records the distribution (the step's data): who received the signed document.
    recipients = forms.CharField(
        label=_("Recipients"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One recipient per line, e.g. Bupati Lamongan, Inspektorat, Bappeda."),
    )
    copies = forms.IntegerField(label=_("Number of copies"), min_value=1, max_value=10_000, required=False)
    distributed_on = forms.DateField(
        label=_("Date of distribution"),
        required=False,
        # A date input takes and gives ISO dates, whatever the page's language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    DISTRIBUTION_FIELDS = ("recipients", "copies", "distributed_on")

    def __init__(self, *args, step=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        if step is not None:
            if step.requirement:
                self.fields["requirements_confirmed"].label = _("Complete: %(requirement)s") % {
                    "requirement": step.requirement
                }
            if step.output:
                self.fields["note"].label = _("Output: %(output)s") % {"output": step.output}
            if step.attachment_required:
                self.fields["files"].label = _("Attach: %(output)s") % {"output": step.output}
        if step is None or not step.is_signature:
            del self.fields["signature_confirmed"]
        if step is None or not step.records_distribution:
            for name in self.DISTRIBUTION_FIELDS:
                del self.fields[name]
        else:
            self.fields["distributed_on"].initial = timezone.localdate()
            self.fields["distributed_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean(self):
        data = super().clean()
        action = data.get("action")
        forward = action in (HistoryEntry.Action.COMPLETE, HistoryEntry.Action.APPROVE, HistoryEntry.Action.FINISH)
        if forward and "recipients" in self.fields:
            messages = {
                "recipients": _("Name who received the document."),
                "copies": _("Say how many copies were made."),
                "distributed_on": _("Give the date of distribution."),
            }
            for name, message in messages.items():
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        return data

    def distribution(self):
        """What the person recorded about the distribution, for the service; None where the step asks nothing."""
        if "recipients" not in self.fields:
            return None
        data = self.cleaned_data
        return DistributionInput(
            recipients=data["recipients"].strip(), copies=data["copies"], distributed_on=data["distributed_on"]
        )


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
    waiting = forms.BooleanField(label=_("Waiting for me"), required=False)
