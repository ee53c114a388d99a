"""A person given a temporary password changes it before anything else."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from sakip.accounts.models import Profile

# Set in the session at login from the profile's flag (one query at login, none on every page), and
# removed when the password is changed. Changing someone's password ends their sessions, so the flag an
# administrator sets together with a temporary password always meets a fresh login.
SESSION_KEY = "sakip_must_change_password"

# Where a person who must change their password may still go: the change itself, logging out, the language.
ALLOWED_VIEWS = {"password_change", "logout", "admin:logout", "set_language"}


@receiver(user_logged_in, dispatch_uid="sakip.accounts.must_change_password")
def remember_password_change_required(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        if Profile.objects.filter(user=user, must_change_password=True).exists():
            request.session[SESSION_KEY] = True
        else:
            request.session.pop(SESSION_KEY, None)


def password_change_required(request: HttpRequest) -> bool:
    return bool(request.session.get(SESSION_KEY))


def password_change_done(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


class PasswordChangeRequiredMiddleware:
    """Every page but the allowed ones leads a person with a temporary password to the password change.

    After AuthenticationMiddleware and MessageMiddleware. Pages open without a login (the verification page,
    the health check) stay open; static files never reach a view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not request.user.is_authenticated or not password_change_required(request):
            return None
        if getattr(view_func, "login_required", True) is False:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_VIEWS:
            return None
        if request.path_info.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/" + settings.MEDIA_URL.lstrip("/"))):
            return None
        return redirect("password_change")
