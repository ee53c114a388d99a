"""Content panels on the document page, contributed by other apps (the workflow knows none of them)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest, object], dict | None]  # None: nothing to show for this document


PANELS: list[Panel] = []


def register_panel(template: str, context: Callable[[HttpRequest, object], dict | None]) -> None:
    PANELS.append(Panel(template, context))


def panels_for(request: HttpRequest, document) -> list[tuple[str, dict]]:
    shown = []
    for panel in PANELS:
        context = panel.context(request, document)
        if context is not None:
            shown.append((panel.template, context))
    return shown
