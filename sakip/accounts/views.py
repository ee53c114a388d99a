"""A person's own account: what the office knows of them, their e-mail preference, their password."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sakip.accounts.forms import EmailPreferenceForm, PasswordChangeForm
from sakip.accounts.middleware import password_change_done, password_change_required
from sakip.accounts.models import ActingAssignment, Profile
from sakip.accounts.roles import role_ids
from sakip.sops.models import Sop, Step
from sakip.workflow.models import Document, HistoryEntry, Signature
from sakip.workflow.services import _signature_for, _signature_problems


@dataclass(frozen=True)
class SigningRole:
    """A signature step the person holds, and how their signature prints there (or what keeps it from it)."""

    step: Step
    signature: Signature | None
    problem: str


def printed_signature(user, step: Step) -> Signature:
    """How ``user`` signs at ``step``, not saved: made by the very function that freezes a signature at signing
    (services._signature_for), for a document with no history yet, so nothing here repeats what a signature prints."""
    blank = Document(pk=0, sop=step.sop, current_step=step, title="", year=timezone.localdate().year)
    blank._prefetched_objects_cache = {"history": HistoryEntry.objects.none()}  # no paraf yet: no query
    return _signature_for(blank, step, user, signed_at=timezone.now())


def signing_roles(user) -> list[SigningRole]:
    """The signature steps of the current SOPs whose role ``user`` holds today, by group or by acting."""
    steps = (
        Step.objects.filter(is_signature=True, sop__in=Sop.objects.current(), actor__group_id__in=role_ids(user))
        .select_related("sop", "actor")
        .order_by("sop__nama", "number")
    )
    found = []
    for step in steps:
        problems = _signature_problems(user, step)
        if problems:
            found.append(SigningRole(step=step, signature=None, problem=" ".join(problems.values())))
        else:
            found.append(SigningRole(step=step, signature=printed_signature(user, step), problem=""))
    return found


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The person's roles, acting assignments, how their signature prints, and their e-mail preference."""
    user = request.user
    person = Profile.objects.filter(user=user).first()
    if request.method == "POST":
        form = EmailPreferenceForm(request.POST)
        if form.is_valid():
            form.save(user)
            messages.success(request, _("Your e-mail preference has been saved."))
            return redirect("profile")
    else:
        form = EmailPreferenceForm(initial={"email_notifications": person.email_notifications if person else True})
    today = timezone.localdate()
    acting = list(ActingAssignment.objects.filter(person=user).select_related("role", "official"))
    context = {
        "person": person,
        "groups": user.groups.order_by("name"),
        "acting": acting,
        "today": today,
        "signing_roles": signing_roles(user),
        "form": form,
    }
    return render(request, "accounts/profile.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, in the project's pages; it also ends the duty to change a temporary password."""

    form_class = PasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "required": password_change_required(self.request)}

    def form_valid(self, form):
        response = super().form_valid(form)
        Profile.objects.filter(user=form.user, must_change_password=True).update(must_change_password=False)
        password_change_done(self.request)
        messages.success(self.request, _("Your password has been changed."))
        return response
