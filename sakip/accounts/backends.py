"""Django's model backend, refusing the published demo password outside DEBUG."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from sakip.accounts.demo import DEMO_PASSWORD

UserModel = get_user_model()


def is_refused_demo_password(password: str | None) -> bool:
    return not settings.DEBUG and password == DEMO_PASSWORD


class ProductionSafeModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if is_refused_demo_password(password):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        # The profile (NIP, jabatan, pangkat) comes with the user in the one query of every request: the
        # signature step and the profile page read it.
        try:
            user = UserModel._default_manager.select_related("profile").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
