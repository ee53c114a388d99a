"""The unread-notification count shown in the navigation bar."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sakip.workflow.notifications import unread_count


def notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that do not render the navigation bar pay no query; a page that already counted
    # (the document page, marking its notifications read) pays none either.
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request))}
