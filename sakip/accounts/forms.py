"""The login form: Django's, with a clear word when the demo password is used in production."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sakip.accounts.backends import is_refused_demo_password


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
