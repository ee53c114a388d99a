"""The SOP app: SOP definitions (identity block, actors, steps) and their sheet."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SopsConfig(AppConfig):
    name = "sakip.sops"
    verbose_name = _("Standard operating procedures")
