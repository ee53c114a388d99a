"""The preview of the PDF a signer is about to sign: the workflow asks, the measurement answers."""

import copy
import inspect

from django.dispatch import receiver

from sakip.performance import pdf
from sakip.performance.models import Measurement
from sakip.workflow.signals import document_previewing


@receiver(document_previewing)
def render_the_preview(sender, document, signature, **kwargs) -> bytes | None:
    """The measurement's PDF with the unsaved signature, marked as a preview; None for a document without one."""
    measurement = Measurement.objects.select_related("agreement", "document").filter(document=document.pk).first()
    if measurement is None:
        return None
    render = pdf.render_measurement_pdf
    if "preview" in inspect.signature(render).parameters:
        return render(measurement, signature, preview=True)
    # A renderer without previews prints a QR code, which needs a token: a copy gets a visibly fake one.
    stand_in = copy.copy(signature)
    stand_in.token = "PRATINJAU"  # noqa: S105  (not a secret: a marker)
    return render(measurement, stand_in)
