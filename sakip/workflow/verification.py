"""The public verification page a signed PDF's QR code opens: is this file exactly the signed one?"""

import hashlib

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

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
