"""Writes to SOP definitions: new revisions and copies. Views and the admin call these."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sakip.sops.models import Sop
from sakip.sops.serialization import sop_from_dict, sop_to_dict


def sop_new_revision(*, sop: Sop, by=None, note: str = "") -> Sop:
    """Copy the newest revision of ``sop`` into the next revision, dated today.

    Documents keep pointing at the revision they started under, so a revision
    that is in use is never edited: the edit goes to the new one.
    """
    with transaction.atomic():
        latest = Sop.objects.select_for_update().filter(slug=sop.slug).order_by("-revision")[0]
        data = sop_to_dict(latest)
        # The sheet is the office's document, in its language, whatever the admin's UI language.
        with translation.override(settings.LANGUAGE_CODE):
            data["identity"]["tanggal_revisi"] = date_format(timezone.localdate(), "DATE_FORMAT")
        return sop_from_dict(data, by=by, revision_note=note)


def sop_copy(*, sop: Sop, slug: str, nama: str, by=None) -> Sop:
    """A new SOP (revision 1) with the identity, actors and steps of ``sop``."""
    if Sop.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("An SOP with this code already exists.")})
    data = sop_to_dict(sop)
    data["slug"] = slug
    data["identity"]["nama"] = nama
    with transaction.atomic():
        return sop_from_dict(data, by=by)


def sop_store_sheet_pdf(*, sop: Sop, data: bytes, filename: str) -> None:
    """Keep the sheet PDF of a revision in use (again, if its file was lost from storage).

    Of two workers storing it at once, the first one's file stays.
    """
    storage = Sop._meta.get_field("sheet_pdf").storage
    name = storage.save(f"sop/{sop.pk}/{filename}", ContentFile(data))
    if Sop.objects.filter(pk=sop.pk, sheet_pdf=sop.sheet_pdf.name or "").update(sheet_pdf=name) != 1:
        storage.delete(name)  # another worker was first
