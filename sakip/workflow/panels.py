"""Content panels on the document page, contributed by other apps (the workflow knows none of them)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest, object], dict | None]  # None: nothing to show for this document


PANELS: list[Panel] = []
# Relations of Document that panels read, loaded with the document in one query (select_related).
RELATED: list[str] = []
# Relations of the history entries that panels read, loaded with the timeline (select_related).
HISTORY_RELATED: list[str] = []
# Many-valued relations of Document that the page reads more than once, loaded once (prefetch_related).
PREFETCH: list = []


def register_panel(
    template: str,
    context: Callable[[HttpRequest, object], dict | None],
    *,
    select_related: tuple[str, ...] = (),
    history_related: tuple[str, ...] = (),
    prefetch: tuple = (),
) -> None:
    PANELS.append(Panel(template, context))
    PREFETCH.extend(lookup for lookup in prefetch if lookup not in PREFETCH)
    RELATED.extend(name for name in select_related if name not in RELATED)
    HISTORY_RELATED.extend(name for name in history_related if name not in HISTORY_RELATED)


def panels_for(request: HttpRequest, document) -> list[tuple[str, dict]]:
    shown = []
    for panel in PANELS:
        context = panel.context(request, document)
        if context is not None:
            shown.append((panel.template, context))
    return shown
