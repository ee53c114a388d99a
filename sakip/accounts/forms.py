"""The account forms: logging in, changing one's password, the e-mail preference, a temporary password."""

from axes.utils import reset as axes_reset
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AdminPasswordChangeForm, AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sakip.accounts.backends import is_refused_demo_password
from sakip.accounts.models import Profile


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Log in"), css_class="w-100"))

    def clean(self):
        if is_refused_demo_password(self.cleaned_data.get("password")):
            raise ValidationError(
                _("The demo password only works on a development server. Ask the administrator for your password."),
                code="demo_password",
            )
        return super().clean()


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's, with the current password checked the way the login checks it.

    Through ``authenticate``: django-axes counts a wrong current password as a failed login and refuses
    every password while the account is locked, so the form cannot be used to guess the password of a
    session left open. The new password must differ from the current one (a temporary one, say).
    """

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.helper = FormHelper()
        self.helper.form_id = "password-change"
        self.helper.add_input(Submit("submit", _("Change my password")))

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) != self.user:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password

    def clean_new_password1(self):
        new_password = self.cleaned_data.get("new_password1")
        if new_password and new_password == self.cleaned_data.get("old_password"):
            raise ValidationError(_("Choose a password different from the current one."), code="password_unchanged")
        return new_password


class EmailPreferenceForm(forms.Form):
    email_notifications = forms.BooleanField(
        label=_("Also send my notifications by e-mail"),
        required=False,
        help_text=_(
            "Notifications always appear here in SAKIP. With this on, each also goes to your e-mail address, "
            "as does the daily reminder of overdue tasks."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "email-preference"
        self.helper.add_input(Submit("submit", _("Save")))

    def save(self, user) -> Profile:
        profile, _created = Profile.objects.update_or_create(
            user=user, defaults={"email_notifications": self.cleaned_data["email_notifications"]}
        )
        return profile


class TemporaryPasswordForm(AdminPasswordChangeForm):
    """The administration's password form, which can make the new password a temporary one."""

    temporary = forms.BooleanField(
        label=_("Temporary password"),
        required=False,
        initial=True,
        help_text=_("The person must choose their own password at the next login."),
    )

    def save(self, commit=True):
        user = super().save(commit=False)
        # A password that was disabled cannot be changed at the next login.
        temporary = bool(self.cleaned_data.get("temporary")) and user.has_usable_password()
        if commit:
            with transaction.atomic():
                user.save()
                Profile.objects.update_or_create(user=user, defaults={"must_change_password": temporary})
            if user.has_usable_password():
                # Given a new password, the person can log in at once, even after too many failed logins.
                axes_reset(username=user.get_username())
        return user
