"""The measurement follows its document through the workflow."""

from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sakip.performance.models import Agreement, Indicator, Measurement, Objective, Programme
from sakip.performance.pdf import attach_signed_pdf
from sakip.performance.services import (
    measurement_create,
    snapshot_take,
    sop_carries_measurement,
)
from sakip.workflow.models import HistoryEntry
from sakip.workflow.signals import document_signing, document_started, document_transitioned


@receiver(document_started)
def attach_measurement(sender, document, **kwargs):
    if sop_carries_measurement(document.sop):
        measurement_create(document=document)


@receiver(document_transitioned)
def keep_what_was_handed_on(sender, document, entry, target, **kwargs):
    """Handing on from a content step: the content must be complete when it leaves the last one,
    and what was handed on is kept so that a reviewer can see what changed after a return."""
    if entry.action != HistoryEntry.Action.COMPLETE or not entry.step.edits_content:
        return
    measurement = Measurement.objects.filter(document=document).first()
    if measurement is None:
        return
    leaving_content = target is None or not target.edits_content
    if leaving_content:
        missing = list(measurement.indicator_results.in_sheet_order().filter(realisation__isnull=True))
        if missing:
            raise ValidationError({"note": missing_realisations_message(document, missing)})
        snapshot_take(measurement=measurement, entry=entry)


NAMED_AT_MOST = 10  # a refusal names this many missing indicators, then counts the rest


def missing_realisations_message(document, missing: list) -> SafeString:
    """The refusal names each missing indicator with a link to its row of the realisation form.

    Built with format_html from escaped parts only: an indicator's name is the office's text, never markup."""
    form = reverse("performance:realisation", args=[document.pk])
    links = format_html_join(
        ", ", '<a href="{}#indicator-{}">{}</a>', ((form, result.pk, result.name) for result in missing[:NAMED_AT_MOST])
    )
    rest = len(missing) - NAMED_AT_MOST
    more = ngettext(" and %(count)s more", " and %(count)s more", rest) % {"count": rest} if rest > 0 else ""
    return format_html(
        '<span id="missing-realisations">{}: {}{}.</span>',
        _("Fill in the realisation of every indicator first (%(count)s missing)") % {"count": len(missing)},
        links,
        more,
    )


@receiver(document_signing)
def render_the_signed_pdf(sender, document, signature, **kwargs):
    """At the signature the PDF is made once, before the signature row is written: what was signed is what is kept."""
    if Measurement.objects.filter(document=document).exists():
        attach_signed_pdf(signature)


@receiver([post_save, post_delete], sender=Objective)
@receiver([post_save, post_delete], sender=Indicator)
@receiver([post_save, post_delete], sender=Programme)
def note_the_agreements_revision(sender, instance, **kwargs):
    """Any change of what measurements copy moves the agreement's revision on (see Agreement.revised_at)."""
    # By id, without loading the objective: during a cascading delete it may already be gone.
    if isinstance(instance, Objective):
        agreements = Agreement.objects.filter(pk=instance.agreement_id)
    else:
        agreements = Agreement.objects.filter(objectives__pk=instance.objective_id)
    agreements.update(revised_at=timezone.now())
