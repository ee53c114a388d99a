"""The office's particulars as its papers print them: one row, set by an administrator in the admin."""

from __future__ import annotations

import base64

from django.conf import settings
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sakip.office.logo import LOGO_MIME, logo_format, validate_logo

CACHE_KEY = "sakip.office.current"
CACHE_SECONDS = 300


def default_government() -> str:
    return settings.OFFICE_GOVERNMENT


def default_name() -> str:
    return settings.OFFICE_NAME


def default_address() -> str:
    return settings.OFFICE_ADDRESS


class Office(models.Model):
    """The letterhead (kop surat) and the print options of the office's documents. A singleton: pk 1."""

    SINGLETON_PK = 1

    government = models.CharField(
        _("government"),
        max_length=200,
        default=default_government,
        help_text=_("First line of the letterhead, e.g. PEMERINTAH KABUPATEN LAMONGAN."),
    )
    name = models.CharField(
        _("office name"),
        max_length=200,
        default=default_name,
        help_text=_("Printed large under the government, e.g. DINAS TENAGA KERJA."),
    )
    address = models.CharField(
        _("address"),
        max_length=300,
        blank=True,
        default=default_address,
        help_text=_("Street and town, e.g. Jl. Basuki Rahmat No. 1, Lamongan."),
    )
    postal_code = models.CharField(
        _("postal code"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{5}$", _("A postal code is five digits, e.g. 62211."))],
    )
    telephone = models.CharField(
        _("telephone"),
        max_length=60,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9 ()+./,-]+$", _("Only digits, spaces and ( ) + - . / , are allowed, e.g. (0322) 321234.")
            )
        ],
    )
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    website = models.CharField(
        _("website"),
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(
                r"^(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/[^\s]*)?$",
                _("Enter an address such as disnaker.lamongankab.go.id."),
            )
        ],
    )
    logo = models.FileField(
        _("logo"),
        upload_to="office/",
        blank=True,
        max_length=200,
        validators=[validate_logo],
        help_text=_("PNG or JPEG, at most 1 MB; printed at the left of the letterhead."),
    )
    print_explanation = models.BooleanField(
        _("print the explanation / formula column"),
        default=False,
        help_text=_(
            "The Pengukuran Kinerja PDF then has a column with each indicator's explanation / formula (A4 landscape)."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("office letterhead")
        verbose_name_plural = _("office letterhead")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)
        cache.delete(CACHE_KEY)

    def delete(self, *args, **kwargs):
        cache.delete(CACHE_KEY)
        return super().delete(*args, **kwargs)

    @classmethod
    def current(cls, *, fresh: bool = False) -> Office:
        """The office's row, or (before an administrator saved one) the defaults from the settings, unsaved.

        Cached in Django's cache and dropped on save. With a per-process cache (CACHE_URL locmem://) other
        processes see a change within CACHE_SECONDS; ``fresh=True`` reads the row (the signed PDF does).
        """
        if not fresh:
            office = cache.get(CACHE_KEY)
            if office is not None:
                return office
        office = cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls()
        cache.set(CACHE_KEY, office, CACHE_SECONDS)
        return office

    def logo_data_uri(self) -> str:
        """The uploaded logo as a data: URI for the PDF (weasyprint reads nothing outside static/), or ""."""
        if not self.logo:
            return ""
        try:
            with self.logo.open("rb") as file:
                data = file.read()
        except OSError:
            return ""  # a missing file must not stop a signature: the letterhead prints without it
        kind = logo_format(data)
        if kind is None:
            return ""
        return f"data:{LOGO_MIME[kind]};base64,{base64.b64encode(data).decode()}"
