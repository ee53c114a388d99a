"""The workflow app: documents moving through an SOP's steps, and their history."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "sakip.workflow"
    verbose_name = _("Workflow")
