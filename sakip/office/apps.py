"""The office app: the office's own particulars as its papers print them (the letterhead)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "sakip.office"
    verbose_name = _("Office")
    default_auto_field = "django.db.models.BigAutoField"
