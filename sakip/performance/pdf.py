"""The Pengukuran Kinerja as the office's own paper: letterhead, number, tables, signature, e-signature footer."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sakip.lib.pdf import collector_paused, render_pdf, static_url
from sakip.office.models import Office
from sakip.performance.models import Measurement
from sakip.performance.tables import measurement_table
from sakip.workflow.models import Signature


def qr_data_uri(url: str) -> str:
    """The QR code as a PNG: one image, decoded and embedded once, however many pages show it.

    (As SVG, weasyprint drew its paths again on every page: a tenth of a long document's render.)
    """
    import segno  # small, but only PDFs need it

    return segno.make(url, error="m").png_data_uri(scale=8, border=0)


def verification_address() -> str:
    """Where a reader types the printed code by hand: printed beside the QR code."""
    return settings.SITE_URL + "/verifikasi/"


def render_measurement_pdf(
    measurement: Measurement, signature: Signature | None = None, *, preview: bool = False
) -> bytes:
    """The PDF of ``measurement``: signed with ``signature``, a preview of it, or (without one) a draft.

    ``preview=True`` is the paper the signer sees before signing: marked PRATINJAU, with an unsaved
    ``signature`` (empty token: no QR code, no verification code) and the number still to be given.
    """
    with collector_paused():  # the whole render, the table's rows too (see sakip.lib.pdf)
        return _render(measurement, signature, preview=preview)


def _render(measurement: Measurement, signature: Signature | None, *, preview: bool) -> bytes:
    document = measurement.document
    office = Office.current(fresh=True)  # a signed paper carries the letterhead as it is set now
    logo = office.logo_data_uri()
    if not logo and settings.OFFICE_LOGO:
        logo = static_url(settings.OFFICE_LOGO)
    signed = signature is not None and not preview
    with translation.override(settings.LANGUAGE_CODE):
        running_title = " · ".join(
            [_("Performance measurement"), measurement.agreement.instansi, _("Year %(year)s") % {"year": document.year}]
        )
    number = getattr(document, "number", "")  # Document.number comes with the register (signing)
    context = {
        "document": document,
        "agreement": measurement.agreement,
        "table": measurement_table(measurement),
        "signature": signature,
        "preview": preview,
        "signed_on": timezone.localtime(signature.signed_at) if signature and signature.signed_at else timezone.now(),
        "on_behalf_of": getattr(signature, "on_behalf_of", "") if signature else "",
        "number": number,
        "running_title": running_title + (f" · {number}" if number else ""),
        "qr": qr_data_uri(settings.SITE_URL + signature.get_verification_url()) if signed else "",
        "verify_address": verification_address(),
        "office": office,
        "logo": logo,
        "explanation": office.print_explanation,
        "css": static_url("css/pengukuran_pdf.css"),
    }
    return render_pdf("performance/pdf/pengukuran.html", context)


def attach_signed_pdf(signature: Signature) -> None:
    """Render the signed PDF of a signature not yet saved, store the file, and set its SHA-256 on the row."""
    measurement = Measurement.objects.select_related("agreement", "document").get(document=signature.document_id)
    measurement.document.number = signature.document.number  # given by the register at this signing, not yet saved
    data = render_measurement_pdf(measurement, signature)
    signature.sha256 = hashlib.sha256(data).hexdigest()
    name = f"pengukuran-kinerja-{measurement.document.year}-{signature.short_code}.pdf"
    signature.pdf.save(name, ContentFile(data), save=False)
