"""An SOP as data: the identity block of the official sheet, its actors and its steps."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sakip.accounts.roles import holds_role
from sakip.lib.workdays import duration_label


class SopQuerySet(models.QuerySet):
    def current(self) -> SopQuerySet:
        """The newest revision of every SOP."""
        newest = Sop.objects.filter(slug=OuterRef("slug")).order_by("-revision").values("revision")[:1]
        return self.filter(revision=Subquery(newest))

    def startable_by(self, user) -> SopQuerySet:
        """SOPs whose first step belongs to a role ``user`` holds: the ones they may start documents of."""
        first_role = Step.objects.filter(sop=OuterRef("pk")).order_by("number").values("actor__group")[:1]
        return self.annotate(first_role=Subquery(first_role)).filter(holds_role(user, "first_role"))

    def latest_of(self, slug: str) -> Sop:
        sop = self.filter(slug=slug).order_by("-revision").first()
        if sop is None:
            raise Sop.DoesNotExist(f"No SOP with code {slug!r}.")
        return sop


class Sop(models.Model):
    """One revision of an SOP. Documents point at the revision they started under."""

    slug = models.SlugField(_("code"), max_length=80, help_text=_("Short name used in addresses."))
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    instansi = models.TextField(
        _("agency"), help_text=_("As on the sheet, one line per level (e.g. government, office).")
    )
    nomor = models.CharField(_("SOP number"), max_length=120, blank=True)
    tanggal_pembuatan = models.CharField(_("date made"), max_length=60, blank=True)
    tanggal_revisi = models.CharField(_("revision date"), max_length=60, blank=True)
    tanggal_efektif = models.CharField(_("effective date"), max_length=60, blank=True)
    disahkan_oleh = models.TextField(_("approved by"), blank=True)
    nama = models.CharField(_("SOP name"), max_length=300)
    dasar_hukum = models.JSONField(_("legal basis"), default=list, blank=True)
    kualifikasi_pelaksana = models.TextField(_("qualification of the actors"), blank=True)
    keterkaitan = models.JSONField(_("related SOPs"), default=list, blank=True)
    peralatan = models.TextField(_("equipment / supplies"), blank=True)
    peringatan = models.TextField(_("warning"), blank=True)
    pencatatan = models.JSONField(_("recording and data collection"), default=list, blank=True)
    revision_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Set when the first document starts under this revision; from then on the
    # revision is frozen and an edit makes a new revision instead.
    in_use_since = models.DateTimeField(_("in use since"), null=True, blank=True, editable=False)
    # The official sheet as PDF, made once for a revision in use (it never changes) and then served as stored.
    sheet_pdf = models.FileField(_("sheet as PDF"), upload_to="sop/", blank=True, editable=False, max_length=300)

    objects = SopQuerySet.as_manager()

    class Meta:
        verbose_name = _("SOP")
        verbose_name_plural = _("SOPs")
        ordering = ["nama", "slug", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "revision"], name="sop_unique_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.nama} (rev. {self.revision})"

    def get_absolute_url(self) -> str:
        return reverse("sops:sheet_revision", args=[self.slug, self.revision])

    def first_step(self) -> Step | None:
        """The step documents start at. A revision in use never changes, so it is read once and cached."""
        if self.in_use_since is None:
            return self.steps.select_related("actor").order_by("number").first()
        key = f"sakip:sop:{self.pk}:{self.in_use_since.timestamp()}:first-step"
        return cache.get_or_set(key, lambda: self.steps.select_related("actor").order_by("number").first())

    @property
    def is_in_use(self) -> bool:
        return self.in_use_since is not None

    def is_latest(self) -> bool:
        newest = Sop.objects.filter(slug=self.slug).aggregate(m=Max("revision"))["m"]
        return newest == self.revision

    def ordered_steps(self) -> list[Step]:
        return list(self.steps.select_related("actor").order_by("number"))


class Actor(models.Model):
    """A column of the sheet (pelaksana), held by the members of one group."""

    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="actors")
    position = models.PositiveSmallIntegerField(_("column"))
    name = models.CharField(_("name on the sheet"), max_length=120)
    group = models.ForeignKey(
        Group,
        verbose_name=_("role (group of people)"),
        on_delete=models.PROTECT,
        related_name="sop_actors",
        help_text=_("The people in this group act for this column."),
    )

    class Meta:
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        ordering = ["sop", "position"]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    class Kind(models.TextChoices):
        START = "start", _("start")
        PROCESS = "process", _("process")
        DECISION = "decision", _("decision")
        END = "end", _("end")

    class TimeUnit(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        HOURS = "hours", _("hours")
        WORKING_DAYS = "working_days", _("working days")

    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="steps")
    # Numbers are unique per SOP, but that is checked by validate_definition()
    # rather than by a database constraint: a constraint would refuse swapping
    # two numbers in one admin save, which is how steps are reordered.
    number = models.PositiveSmallIntegerField(_("no."))
    activity = models.TextField(_("activity"))
    # RESTRICT, not PROTECT: an actor with steps cannot be removed on its own,
    # but deleting the whole SOP (which takes its steps) still works.
    actor = models.ForeignKey(Actor, verbose_name=_("actor"), on_delete=models.RESTRICT, related_name="steps")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PROCESS)
    requirement = models.TextField(_("requirements / completeness"), blank=True)
    duration = models.PositiveIntegerField(_("time"))
    duration_unit = models.CharField(_("time unit"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.MINUTES)
    output = models.TextField(_("output"), blank=True)
    notes = models.TextField(_("remarks"), blank=True)
    attachment_required = models.BooleanField(
        _("output is a paper"),
        default=False,
        help_text=_("The step can only be completed with the output attached as a file."),
    )
    edits_content = models.BooleanField(
        _("content editable here"),
        default=False,
        help_text=_("At this step the document's content (the measurement) may be filled in and changed."),
    )
    is_signature = models.BooleanField(
        _("signature step"),
        default=False,
        help_text=_("Approving this step signs the document: the signer's data and the PDF are frozen."),
    )
    needs_other_person = models.BooleanField(
        _("someone other than the earlier approvers"),
        default=False,
        help_text=_(
            "Whoever approved an earlier decision step of the document may not complete or approve this one "
            "(for example: the signer is not whoever gave the paraf)."
        ),
    )
    signs_on_behalf_of = models.CharField(
        _("signs on behalf of"),
        max_length=200,
        blank=True,
        help_text=_(
            "For the signature step: the line printed above the signer's position when the signer signs for "
            'the head of the office, e.g. "a.n. KEPALA DINAS TENAGA KERJA". '
            "Empty: the signer signs in their own name."
        ),
    )
    records_distribution = models.BooleanField(
        _("records the distribution"),
        default=False,
        help_text=_(
            "At this step (after the signature) the document's recipients, number of copies and date of "
            "distribution are recorded in the register."
        ),
    )
    return_to = models.PositiveSmallIntegerField(
        _("returns to step"),
        null=True,
        blank=True,
        help_text=_("For a decision: the earlier step a draft goes back to."),
    )

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["sop", "number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.activity[:60]}"

    def clean(self):
        super().clean()
        self.signs_on_behalf_of = " ".join(self.signs_on_behalf_of.split())
        if self.signs_on_behalf_of and not self.is_signature:
            raise ValidationError(
                {"signs_on_behalf_of": _("Only the signature step signs, so only it can sign on behalf of someone.")}
            )
        if self.records_distribution and self.is_signature:
            raise ValidationError(
                {"records_distribution": _("The distribution is recorded at a step after the signature, not at it.")}
            )

    @property
    def duration_label(self) -> str:
        return duration_label(self.duration, self.duration_unit)

    @property
    def is_decision(self) -> bool:
        return self.kind == self.Kind.DECISION
