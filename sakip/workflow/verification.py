"""The public verification pages: is this file exactly the signed one? Reached by the QR code or the typed code."""

import hashlib
import re
import time

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from sakip.ops.proxy import client_address
from sakip.workflow.models import Signature

MAX_UPLOAD = 20 * 1024 * 1024


class CheckForm(forms.Form):
    file = forms.FileField(label=_("The PDF to check"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than any signed document (20 MB)."))
        return upload


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Shows only what the signed paper itself shows: title, year, signer, date, and the file's fingerprint."""
    signature = Signature.objects.select_related("document").filter(token=token).first()
    if signature is None and normalise_code(token) is not None:
        # The printed code written after the address (/verifikasi/ABCD-EFGH-IJKL/): look it up as typed.
        return redirect(lookup_address(token))
    if signature is None or not signature.sha256:
        raise Http404
    form = CheckForm(request.POST or None, request.FILES or None)
    matches = None
    if request.method == "POST" and form.is_valid():
        matches = sha256_of(form.cleaned_data["file"]) == signature.sha256
    response = render(request, "workflow/verify.html", {"signature": signature, "form": form, "matches": matches})
    # Whoever holds the link may see this page, but search engines need not.
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- the printed code, typed by hand -----------------------------------------------------------------

CODE_LENGTH = 12  # characters of Signature.short_code without its dashes
# Base32 has no 0, 1 or 8: on paper and on a keyboard they are the letters O, I and B.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.·_/]+")
_ADDRESS = re.compile(r"verifikasi/", re.IGNORECASE)
_BASE32 = re.compile(rf"[A-Z2-7]{{{CODE_LENGTH}}}")


def normalise_code(typed: str) -> str | None:
    """The code as short_code prints it (``ABCD-EFGH-IJKL``), from what a person typed; None if it cannot be one.

    Any case, spaces, dashes or none, and the digits 0, 1 and 8 for the letters they look like.
    """
    # The whole printed address pasted in: the code is what follows it.
    typed = _ADDRESS.split(typed)[-1]
    plain = _SEPARATORS.sub("", typed).upper().translate(_LOOKALIKES)
    if not _BASE32.fullmatch(plain):
        return None
    return "-".join(plain[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_of_token(token: str) -> str:
    """Signature.short_code of a token (the same formula), without making a Signature."""
    return Signature.code_of(token)


def signature_for_code(code: str) -> Signature | None:
    """The signed signature whose printed code is ``code`` (normalised), or None: one read of an index."""
    return Signature.objects.exclude(sha256="").filter(code=code).first()


def _now() -> float:
    return time.time()


def lookup_wait(request: HttpRequest) -> int:
    """Seconds until this client may look up another code (0: now), counting this lookup when it may.

    A sliding window per client address, kept in Django's cache: shared by every process when
    CACHE_URL is db:// (as in production), each process's own with locmem://.
    """
    limit, window = settings.VERIFY_LOOKUP_LIMIT, settings.VERIFY_LOOKUP_WINDOW
    key = f"sakip:verify-lookup:{client_address(request)}"
    now = _now()
    recent = [at for at in cache.get(key, []) if at > now - window]
    if len(recent) >= limit:
        return max(1, int(recent[0] + window - now) + 1)
    cache.set(key, [*recent, now], timeout=window)
    return 0


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("The 12 letters and digits printed beside the QR code, for example ABCD-EFGH-IJKL."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A verification code has 12 letters and digits, for example ABCD-EFGH-IJKL. Check what you typed.")
            )
        return code


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """Finds a signed document by the code printed on it and opens its verification page.

    The form posts; ``?kode=`` in the address works too, so that a written-out link can carry the code.
    Only well-formed codes are looked up, and they count against the client's limit.
    """
    if request.method == "POST":
        data = request.POST
    else:
        data = {"code": request.GET["kode"]} if "kode" in request.GET else None
    form = LookupForm(data)
    wait = 0
    if data is not None and form.is_valid():
        if wait := lookup_wait(request):
            minutes = -(-wait // 60)
            form.add_error(
                "code",
                ngettext(
                    "Too many codes were looked up from your address. Try again in %(minutes)s minute.",
                    "Too many codes were looked up from your address. Try again in %(minutes)s minutes.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        elif (signature := signature_for_code(form.cleaned_data["code"])) is not None:
            return redirect(signature.get_verification_url())
        else:
            form.add_error(
                "code", _("No signed document has this code. Check the code on the paper and type it again.")
            )
    response = render(
        request, "workflow/verify_lookup.html", {"form": form, "limited": bool(wait)}, status=429 if wait else 200
    )
    if wait:
        response.headers["Retry-After"] = str(wait)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def lookup_address(code: str) -> str:
    """The lookup page with ``code`` filled in and looked up."""
    return f"{reverse('verify_lookup')}?{urlencode({'kode': code})}"
