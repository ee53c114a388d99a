"""Documents moving through an SOP, and their append-only history."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sakip.accounts.roles import holds_role
from sakip.lib.workdays import deadline, duration_label
from sakip.sops.models import Actor, Sop, Step


class DocumentQuerySet(models.QuerySet):
    def active(self) -> DocumentQuerySet:
        return self.filter(status=Document.Status.ACTIVE)

    def waiting_for(self, user) -> DocumentQuerySet:
        """Running documents whose current step belongs to a role the person holds (or acts in): for lists
        and counts. (Every such document is one the person may see.)

        The steps are a subquery, not a join: the documents are then found from the index on their
        current step alone, and counting them reads no document row.
        """
        return self.filter(current_step__in=Step.objects.filter(holds_role(user, "actor__group")).values("pk"))

    def awaiting(self, user) -> DocumentQuerySet:
        """The documents waiting for the person, oldest first, with ``handed_by``: who moved it to where
        it waits (the frozen name of the last move)."""
        last_move = (
            HistoryEntry.objects.filter(document=OuterRef("pk"))
            .exclude(action__in=HistoryEntry.CONTENT_CHANGES)
            .order_by("-step_ended_at", "-pk")
            .values("by_name")[:1]
        )
        # A join here, not waiting_for()'s subquery: read in the order of the index on (status, waiting
        # since), the first rows found are the ones shown, and the database stops there.
        return (
            self.active()
            .filter(holds_role(user, "current_step__actor__group"))
            .select_related("sop", "current_step__actor")
            .annotate(handed_by=Subquery(last_move))
            .order_by("step_started_at", "pk")
        )

    def visible_to(self, user) -> DocumentQuerySet:
        """Staff see every document; others see those of SOPs in which they hold an actor.

        A subquery on the SOPs, not a join with DISTINCT: at 100,000 documents the DISTINCT sorted
        the whole table on every page.
        """
        if user.is_staff:
            return self.all()
        return self.filter(sop__in=Actor.objects.filter(holds_role(user, "group")).values("sop"))

    def took_part(self, user, limit: int = 20) -> DocumentQuerySet:
        """The documents of ``user``'s latest ``limit`` × 10 entries: bounded, so that the cost does not grow
        with everything they ever did. Callers slice to ``limit``."""
        recent = HistoryEntry.objects.filter(by=user).order_by("-pk").values("document_id")[: limit * 10]
        return self.filter(pk__in=Subquery(recent))


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
    # The nomor naskah, given once from the register when the document is signed (sakip.workflow.register).
    number = models.CharField(_("number"), max_length=100, blank=True, default="")

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Tugas saya: the active documents, oldest at their step first.
            models.Index(fields=["status", "step_started_at"], name="document_waiting"),
            # Dokumen: newest first, whole or filtered by status.
            models.Index(fields=["-created_at", "-id"], name="document_newest"),
            models.Index(fields=["status", "-created_at", "-id"], name="document_status_newest"),
            # Dokumen for someone who sees some SOPs only: counting their documents reads this index alone.
            models.Index(fields=["sop", "status", "-created_at", "-id"], name="document_sop_status_newest"),
        ]
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

    @property
    def signed(self) -> Signature | None:
        """The document's signature, or None. Loaded with the document where pages ask (select_related)."""
        try:
            return self.signature
        except Signature.DoesNotExist:
            return None

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
        # Content changes at a content step: the document stays where it is.
        EDIT = "edit", _("changed the content")
        TAKE_IN = "take_in", _("took in changes to the agreement")

    # Entries that change the content and leave the document at its step.
    CONTENT_CHANGES = (Action.EDIT, Action.TAKE_IN)

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
    # Who acted, as they were named then: renaming a person or changing their position rewrites no entry.
    # A full name is a first and a last name of 150 characters each; a jabatan is an acting prefix and 200.
    by_name = models.CharField(_("name"), max_length=301)
    by_jabatan = models.CharField(_("position"), max_length=206, blank=True)
    # SHA-256 of the document's canonical content when the action was taken (sakip.workflow.content);
    # empty for entries written before it was recorded.
    content_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, blank=True)
    # The hash chain of the document's history (sakip.workflow.history): each entry's hash covers the
    # previous entry's hash and its own fields, so changing or removing an entry shows.
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["step_ended_at", "pk"]
        indexes = [
            # "Documents I took part in": a person's latest entries.
            models.Index(fields=["by", "-id"], name="historyentry_by_latest"),
        ]
        constraints = [
            # One successor per entry: a chain cannot fork, even if two writers raced.
            models.UniqueConstraint(fields=["document", "prev_hash"], name="historyentry_one_successor"),
            # Every entry is chained: an INSERT that bypasses history_append is refused.
            models.CheckConstraint(
                condition=models.lookups.Exact(Length("hash"), 64) & models.lookups.Exact(Length("prev_hash"), 64),
                name="historyentry_chained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.get_action_display()} · {self.step.number}"

    @property
    def is_move(self) -> bool:
        """A transition (the time spent at the step counts), not a content change within a step."""
        return self.action not in self.CONTENT_CHANGES

    @property
    def standard_label(self) -> str:
        return duration_label(self.standard_duration, self.standard_unit)

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
    """An in-app message: a document came to the person, came back to them with a reason, or was finished.

    Written and settled by sakip.workflow.notifications only: ``read_at`` is set when the person opens it or
    its document, and by the move that takes the document off the step it announced.
    """

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


def signed_pdf_path(instance: Signature, filename: str) -> str:
    return f"ditandatangani/{instance.document_id}/{filename}"


class Signature(models.Model):
    """The signature of a document: who signed, as what, when and where, frozen at the moment of signing.

    The signed PDF is rendered once and stored with its SHA-256; every download
    serves that file, and the public verification page compares uploads with it.
    """

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="signature")
    entry = models.OneToOneField(HistoryEntry, on_delete=models.PROTECT, related_name="signature")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    prefix = models.CharField(_("acting prefix"), max_length=5, blank=True)
    # "a.n. KEPALA DINAS …": the signature step's data, copied when signing; printed above the jabatan.
    on_behalf_of = models.CharField(_("signs on behalf of"), max_length=200, blank=True)
    jabatan = models.CharField(_("position"), max_length=200)
    pangkat = models.CharField(_("rank / grade"), max_length=100, blank=True)
    nip = models.CharField(_("NIP"), max_length=18)
    place = models.CharField(_("place"), max_length=60)
    signed_at = models.DateTimeField(_("signed at"))
    paraf_name = models.CharField(_("initialled by"), max_length=150, blank=True)
    paraf_jabatan = models.CharField(_("initialled as"), max_length=200, blank=True)
    paraf_at = models.DateTimeField(_("initialled at"), null=True, blank=True)
    # At least 128 bits of randomness, unrelated to the document's id: the QR code's address.
    token = models.CharField(_("verification token"), max_length=64, unique=True)
    # The code printed beside the QR code (short_code, drawn from the token), kept so that /verifikasi/
    # finds a code typed by hand through an index. Set when the row is written, never changed.
    code = models.CharField(_("verification code"), max_length=14, unique=True, null=True, blank=True, editable=False)
    pdf = models.FileField(_("signed PDF"), upload_to=signed_pdf_path, blank=True, max_length=300)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"{self.document} · {self.name}"

    def save(self, *args, **kwargs):
        if self.token and not self.code:
            self.code = self.code_of(self.token)
        super().save(*args, **kwargs)

    @property
    def full_jabatan(self) -> str:
        return f"{self.prefix} {self.jabatan}".strip()

    @staticmethod
    def code_of(token: str) -> str:
        """The verification code of a token: 12 letters and digits of its SHA-256 in base32, as ABCD-EFGH-IJKL."""
        head = base64.b32encode(hashlib.sha256(token.encode()).digest()).decode()[:12]
        return "-".join(head[i : i + 4] for i in range(0, 12, 4))

    @property
    def short_code(self) -> str:
        """The verification code printed beside the QR code."""
        return self.code or self.code_of(self.token)

    def get_verification_url(self) -> str:
        return reverse("verify", args=[self.token])


class OutgoingMailQuerySet(models.QuerySet):
    def pending(self) -> OutgoingMailQuerySet:
        """Neither sent nor given up."""
        return self.filter(sent_at__isnull=True, failed_at__isnull=True)

    def due(self, now: datetime) -> OutgoingMailQuerySet:
        """Pending mail whose time has come and that no sender holds (or whose sender's claim ran out)."""
        return (
            self.pending()
            .filter(next_attempt_at__lte=now)
            .filter(models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now))
        )


class OutgoingMail(models.Model):
    """A mail to send, written in the transaction of the change it reports (the outbox).

    ``manage.py send_outbox`` delivers it (sakip.workflow.outbox); sent and given-up mail is kept as
    the record of what was sent to whom.
    """

    recipients = models.JSONField(_("recipients"), default=list)
    # One clean line of at most sakip.lib.mail.SUBJECT_MAX_LENGTH characters (a test holds the two equal).
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Set after the last allowed attempt failed: the mail stays, visible, until someone queues it again.
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # A sender takes a mail with a conditional UPDATE of these two before sending it, so two senders
    # never send the same mail; a claim that runs out (the sender died) frees the mail again.
    claimed_by = models.CharField(max_length=32, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    # A mail that must go at most once (the day's reminder of a person): a second one with the same key
    # is never written, even by two runs at once.
    key = models.CharField(_("key"), max_length=100, blank=True, editable=False)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~models.Q(key=""), name="outgoingmail_unique_key"),
        ]
        indexes = [
            # The sender's question every minute: only the pending rows, however many were sent.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outgoingmail_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


DEFAULT_NUMBER_PATTERN = "050/{nomor}/413.110/{tahun}"


def validate_number_pattern(pattern: str) -> None:
    from sakip.workflow.register import pattern_problems

    problems = pattern_problems(pattern)
    if problems:
        raise ValidationError(problems)


class RegisterSettings(models.Model):
    """How the register (buku agenda) writes a document's number: one row, set by an administrator."""

    pattern = models.CharField(
        _("number pattern"),
        max_length=80,
        default=DEFAULT_NUMBER_PATTERN,
        validators=[validate_number_pattern],
        help_text=_(
            "The nomor naskah of a signed document. {nomor} is the document's sequence number in the year "
            "(required; {nomor:03} pads it with zeros to 3 digits), {tahun} the year of signing, {bulan} the "
            "month in Roman numerals. Example: 050/{nomor}/413.110/{tahun}."
        ),
    )

    class Meta:
        verbose_name = _("number register setting")
        verbose_name_plural = _("number register settings")

    def __str__(self) -> str:
        return self.pattern

    @classmethod
    def current(cls) -> RegisterSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class RegisterCounter(models.Model):
    """The last sequence number given in a year. Only ever goes up: a number is never given twice."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number given"))

    class Meta:
        verbose_name = _("register counter")
        verbose_name_plural = _("register counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class RegisterEntry(models.Model):
    """One line of the register (buku agenda): a signed document and the number it was given."""

    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=100)
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="register_entry")
    registered_at = models.DateTimeField(_("registered at"))

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register")
        ordering = ["year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="registerentry_unique_sequence"),
        ]

    def __str__(self) -> str:
        return self.number


class Distribution(models.Model):
    """Who received copies of a signed document, how many and when: recorded at a step that records it."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="distributions")
    entry = models.OneToOneField(HistoryEntry, on_delete=models.PROTECT, related_name="distribution")
    recipients = models.TextField(_("recipients"))
    copies = models.PositiveIntegerField(_("number of copies"))
    distributed_on = models.DateField(_("date of distribution"))

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["distributed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(copies__gte=1), name="distribution_copies_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.copies}"
