"""The accounts app: login, logout and the demo accounts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sakip.accounts"
    verbose_name = _("Accounts")
