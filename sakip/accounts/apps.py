"""The accounts app: login, logout, the profile page, the password change and the demo accounts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sakip.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The login's receiver that remembers a temporary password for the session.
        from sakip.accounts import middleware  # noqa: F401
