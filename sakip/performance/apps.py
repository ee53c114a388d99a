"""The performance app: the Perjanjian Kinerja and the measurement a document carries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "sakip.performance"
    verbose_name = _("Performance")

    def ready(self) -> None:
        from django.db.models import Prefetch

        from sakip.performance import (
            preview,  # noqa: F401  (answers the signer's preview)
            receivers,  # noqa: F401  (connects the workflow signals)
        )
        from sakip.performance.models import IndicatorResult, ProgrammeResult
        from sakip.performance.services import agreement_unchanged, measurement_content
        from sakip.performance.views import measurement_panel
        from sakip.workflow.content import register_approval_check, register_content
        from sakip.workflow.panels import register_panel

        register_panel(
            "performance/_measurement_panel.html",
            measurement_panel,
            select_related=("measurement__agreement",),
            history_related=("snapshot",),
            # The rows in sheet order, read by the panel and by the approval's content digest alike.
            prefetch=(
                Prefetch("measurement__indicator_results", IndicatorResult.objects.in_sheet_order()),
                Prefetch("measurement__programme_results", ProgrammeResult.objects.in_sheet_order()),
            ),
        )
        register_content("measurement", measurement_content)
        register_approval_check(agreement_unchanged)
