"""Request middleware shared by the whole project."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _


def office_language(request: HttpRequest) -> str:
    """The language the person chose in the switcher, else the office's (Bahasa Indonesia)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE


class OfficeLanguageMiddleware:
    """Bahasa Indonesia unless the person chose another language in the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and
    many office computers are set up in English; the office works in Indonesian.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(office_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request body larger than the limit before a byte of it is read.

    First in MIDDLEWARE: Django reads a body (and writes its files to disk) as soon as
    anything looks at request.POST or request.FILES, so the check must come before the
    CSRF check, the login redirect or the 404. It trusts only the declared length; the
    WSGI server never hands Django more than that (Django reads at most CONTENT_LENGTH).

    Without a logged-in session the limit is much smaller: the login form and the public
    verification page are all an anonymous visitor can post to. The session is looked
    up only for a body above that smaller limit, so ordinary requests cost nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request):
        raw = request.META.get("CONTENT_LENGTH")
        if raw in (None, ""):
            # A chunked body has no declared length. Django would read none of it and the form
            # would arrive empty; say so instead of failing later with a puzzling message.
            if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
                return self._refuse(request, status=411)
            return self.get_response(request)
        if not raw.isascii() or not raw.isdigit():
            return self._refuse(request, status=400)
        length = int(raw)
        if length > settings.ANONYMOUS_REQUEST_MAX_BYTES:
            if not self._logged_in(request):
                limit = settings.ANONYMOUS_REQUEST_MAX_BYTES
                return self._refuse(request, status=413, length=length, limit=limit, anonymous=True)
            if length > settings.REQUEST_MAX_BYTES:
                return self._refuse(request, status=413, length=length, limit=settings.REQUEST_MAX_BYTES)
        return self.get_response(request)

    def _logged_in(self, request: HttpRequest) -> bool:
        """A session that exists and carries a user; a made-up cookie does not raise the limit."""
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        return bool(key) and self.session_store(key).get(SESSION_KEY) is not None

    def _refuse(self, request, *, status: int, length: int = 0, limit: int = 0, anonymous: bool = False):
        language = office_language(request)
        with translation.override(language):
            if status == 413:
                title = _("Too much sent at once")
                reasons = [
                    _("What was sent is %(size)s; at most %(limit)s can be sent at once.")
                    % {"size": filesizeformat(length), "limit": filesizeformat(limit)}
                ]
                if anonymous:
                    reasons.append(_("Log in first: the limit is higher for people who are logged in."))
                else:
                    reasons.append(
                        _("Attach fewer or smaller files (each at most %(attachment)s) and try again.")
                        % {"attachment": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
                    )
            elif status == 411:
                title = _("Size not stated")
                reasons = [_("The request did not say how large it is. Send the form again from the page.")]
            else:
                title = _("Malformed request")
                reasons = [_("The request stated its size wrongly. Send the form again from the page.")]
            html = render_to_string("413.html", {"title": title, "reasons": reasons, "language": language})
        response = HttpResponse(html, status=status)
        # This answer leaves before the middleware that would add these headers.
        response.headers["Content-Language"] = language
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'self'; frame-ancestors 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        return response
