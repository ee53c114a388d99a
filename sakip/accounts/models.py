"""What the office knows of a person beyond the login: the data a signature carries, and acting duties."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sakip.accounts.nip import normalise_nip, validate_nip


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    nip = models.CharField(_("NIP"), max_length=18, blank=True, help_text=_("18 digits."))
    jabatan = models.CharField(_("position (jabatan)"), max_length=200, blank=True)
    pangkat = models.CharField(_("rank / grade (pangkat/golongan)"), max_length=100, blank=True)
    # Notifications always appear in the app; this says whether they also go by e-mail.
    email_notifications = models.BooleanField(
        _("also by e-mail"),
        default=True,
        help_text=_("Send notifications and the daily reminder of overdue tasks to the e-mail address too."),
    )
    # Set with a temporary password from the administration: every page leads to the password change
    # until the person has chosen their own (sakip.accounts.middleware).
    must_change_password = models.BooleanField(
        _("must change the password at the next login"),
        default=False,
        help_text=_("Set when an administrator gives a temporary password; cleared when the person changes it."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        if self.nip:
            self.nip = normalise_nip(self.nip)
            try:
                validate_nip(self.nip)
            except ValidationError as exc:
                raise ValidationError({"nip": exc.messages}) from None


def wants_email(user) -> bool:
    """Whether ``user`` gets mail besides the in-app notification: yes unless their profile says no.

    Reads the profile loaded with the user (``select_related("profile")``) when there is one.
    """
    try:
        return user.profile.email_notifications
    except Profile.DoesNotExist:
        return True


class ActingQuerySet(models.QuerySet):
    def active(self, on=None) -> ActingQuerySet:
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class ActingAssignment(models.Model):
    """Someone acting for an official (Plt. or Plh.): for the period they hold the official's role."""

    class Prefix(models.TextChoices):
        PLT = "Plt.", _("Plt. (pelaksana tugas)")
        PLH = "Plh.", _("Plh. (pelaksana harian)")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acting person"), on_delete=models.PROTECT, related_name="acting"
    )
    role = models.ForeignKey(Group, verbose_name=_("role"), on_delete=models.PROTECT, related_name="acting")
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    jabatan = models.CharField(
        _("position acted in"), max_length=200, help_text=_("Printed after the prefix, e.g. Sekretaris Dinas.")
    )
    prefix = models.CharField(_("prefix"), max_length=5, choices=Prefix.choices, default=Prefix.PLT)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    objects = ActingQuerySet.as_manager()

    class Meta:
        verbose_name = _("acting assignment")
        verbose_name_plural = _("acting assignments")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="acting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.jabatan}: {self.person}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date is before the start date.")})
