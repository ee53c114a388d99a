"""Django's model backend, refusing the published demo password outside DEBUG."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from sakip.accounts.demo import DEMO_PASSWORD


def is_refused_demo_password(password: str | None) -> bool:
    return not settings.DEBUG and password == DEMO_PASSWORD


class ProductionSafeModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if is_refused_demo_password(password):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
