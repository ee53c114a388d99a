"""The unread-notification count shown in the navigation bar."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that do not render the navigation bar pay no query.
    return {"unread_notifications": SimpleLazyObject(lambda: user.notifications.filter(read_at__isnull=True).count())}
