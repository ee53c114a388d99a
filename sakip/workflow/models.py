"""Documents moving through an SOP, and their append-only history."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sakip.lib.workdays import deadline
from sakip.sops.models import Actor, Sop, Step


class DocumentQuerySet(models.QuerySet):
    def active(self) -> DocumentQuerySet:
        return self.filter(status=Document.Status.ACTIVE)

    def awaiting(self, user) -> DocumentQuerySet:
        """Documents whose current step belongs to a role the person holds, oldest first."""
        return (
            self.active()
            .filter(current_step__actor__group__in=user.groups.all())
            .select_related("sop", "current_step__actor")
            .order_by("step_started_at", "pk")
        )

    def visible_to(self, user) -> DocumentQuerySet:
        """Staff see every document; others see those of SOPs in which they hold an actor."""
        if user.is_staff:
            return self.all()
        return self.filter(sop__actors__group__in=user.groups.all()).distinct()


class Document(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("in progress")
        FINISHED = "finished", _("finished")
        CANCELLED = "cancelled", _("cancelled")

    sop = models.ForeignKey(Sop, verbose_name=_("SOP"), on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    current_step = models.ForeignKey(
        Step, verbose_name=_("current step"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_started_at = models.DateTimeField(_("at this step since"), default=timezone.now)
    # Bumped by every transition: the conditional UPDATE that moves a document
    # only succeeds for the person who read the latest version.
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="active") & models.Q(current_step__isnull=False))
                | (~models.Q(status="active") & models.Q(current_step__isnull=True)),
                name="document_active_iff_at_a_step",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workflow:document", args=[self.pk])

    @property
    def due_at(self) -> datetime | None:
        step = self.current_step
        if step is None:
            return None
        return deadline(self.step_started_at, step.duration, step.duration_unit)

    def is_overdue(self, now: datetime | None = None) -> bool:
        due = self.due_at
        return due is not None and (now or timezone.now()) > due


class HistoryEntry(models.Model):
    """One action on a document. Rows are only ever added, never changed or deleted."""

    class Action(models.TextChoices):
        START = "start", _("started")
        COMPLETE = "complete", _("completed and handed on")
        APPROVE = "approve", _("approved")
        RETURN = "return", _("returned")
        FINISH = "finish", _("finished")
        CANCEL = "cancel", _("cancelled")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="history")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    step = models.ForeignKey(Step, verbose_name=_("step"), on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        Actor, verbose_name=_("role"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    note = models.TextField(_("note"), blank=True)
    to_step = models.ForeignKey(
        Step, verbose_name=_("to step"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_started_at = models.DateTimeField(_("step started"))
    step_ended_at = models.DateTimeField(_("step ended"))
    # The mutu baku at the time, copied so that the comparison survives later revisions.
    standard_duration = models.PositiveIntegerField(_("standard time"))
    standard_unit = models.CharField(_("standard time unit"), max_length=16, choices=Step.TimeUnit.choices)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["step_ended_at", "pk"]

    def __str__(self) -> str:
        return f"{self.document} · {self.get_action_display()} · {self.step.number}"

    @property
    def was_late(self) -> bool:
        return self.step_ended_at > deadline(self.step_started_at, self.standard_duration, self.standard_unit)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"lampiran/{instance.document_id}/{filename}"


class Attachment(models.Model):
    """A paper attached to a document at a step: the incoming letter, a disposition, a draft."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="attachments")
    entry = models.ForeignKey(HistoryEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    step = models.ForeignKey(Step, verbose_name=_("step"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """An in-app message: a document arrived in the person's inbox."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message
