"""The Pengukuran Kinerja as the office's own paper: letterhead, tables, signature, QR code."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile

from sakip.lib.pdf import render_pdf, static_url
from sakip.performance.models import Measurement
from sakip.performance.tables import measurement_table
from sakip.workflow.models import Signature


def qr_data_uri(url: str) -> str:
    import segno  # small, but only PDFs need it

    return segno.make(url, error="m").svg_data_uri(scale=4, border=0)


def render_measurement_pdf(measurement: Measurement, signature: Signature | None = None) -> bytes:
    """Without a signature the PDF is a draft: marked as such, with no QR code."""
    document = measurement.document
    context = {
        "document": document,
        "agreement": measurement.agreement,
        "table": measurement_table(measurement),
        "signature": signature,
        "qr": qr_data_uri(settings.SITE_URL + signature.get_verification_url()) if signature else "",
        "office": {
            "government": settings.OFFICE_GOVERNMENT,
            "name": settings.OFFICE_NAME,
            "address": settings.OFFICE_ADDRESS,
            "logo": static_url(settings.OFFICE_LOGO) if settings.OFFICE_LOGO else "",
        },
        "css": static_url("css/pengukuran_pdf.css"),
    }
    return render_pdf("performance/pdf/pengukuran.html", context)


def attach_signed_pdf(signature: Signature) -> None:
    """Render the signed PDF of a signature not yet saved, store the file, and set its SHA-256 on the row."""
    measurement = Measurement.objects.select_related("agreement", "document").get(document=signature.document_id)
    data = render_measurement_pdf(measurement, signature)
    signature.sha256 = hashlib.sha256(data).hexdigest()
    name = f"pengukuran-kinerja-{measurement.document.year}-{signature.short_code}.pdf"
    signature.pdf.save(name, ContentFile(data), save=False)
