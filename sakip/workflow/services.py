"""The one write path of the workflow: starting, moving and cancelling documents.

Every rule is read from the SOP's data: what a step allows follows from its
kind, who may act from its actor, where a return goes from its return step.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sakip.accounts.models import ActingAssignment, Profile
from sakip.accounts.nip import validate_nip
from sakip.accounts.roles import acting_assignment, role_ids
from sakip.sops.models import Sop, Step
from sakip.workflow.attachments import validate_attachment
from sakip.workflow.models import Attachment, Document, HistoryEntry, Notification, Signature
from sakip.workflow.signals import document_started, document_transitioned

Action = HistoryEntry.Action

# Actions that take the work forward: they need the step's requirements
# confirmed; those that close a step's own work also need its output recorded.
FORWARD = (Action.COMPLETE, Action.APPROVE, Action.FINISH)
RECORDS_OUTPUT = (Action.COMPLETE, Action.FINISH)

# What a person can do at a step, by the step's kind.
ACTIONS_BY_KIND: dict[str, tuple[str, ...]] = {
    Step.Kind.START: (Action.COMPLETE,),
    Step.Kind.PROCESS: (Action.COMPLETE,),
    Step.Kind.DECISION: (Action.APPROVE, Action.RETURN),
    Step.Kind.END: (Action.FINISH,),
}


class DocumentMovedOn(Exception):
    """Somebody else acted first: the document is no longer where the person saw it."""

    def __init__(self):
        super().__init__(_("This document has moved on since you opened it. Look at it again."))


def holds_actor(user, step: Step) -> bool:
    return step.actor.group_id in role_ids(user)


def drafter_of(document: Document, step: Step):
    """Who completed the draft a decision step is looking at: the last completion of its return step."""
    if step.return_to is None:
        return None
    entry = (
        document.history.filter(action=Action.COMPLETE, step__number=step.return_to)
        .select_related("by")
        .order_by("-step_ended_at", "-pk")
        .first()
    )
    return entry.by if entry else None


def available_actions(document: Document, user) -> list[str]:
    if document.status != Document.Status.ACTIVE or not holds_actor(user, document.current_step):
        return []
    actions = list(ACTIONS_BY_KIND[document.current_step.kind])
    if Action.APPROVE in actions and drafter_of(document, document.current_step) == user:
        actions.remove(Action.APPROVE)
    return actions


def _check_files(files: Sequence[UploadedFile]) -> None:
    errors = []
    for upload in files:
        try:
            validate_attachment(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})


def _store_files(document: Document, entry: HistoryEntry, step: Step, files: Sequence[UploadedFile], by) -> None:
    for upload in files:
        Attachment.objects.create(
            document=document,
            entry=entry,
            step=step,
            file=upload,
            name=upload.name[:255],
            size=upload.size,
            uploaded_by=by,
        )


def _notify_arrival(document: Document, step: Step, *, exclude=None) -> None:
    """Tell the holders of ``step``'s actor that the document waits for them: in the app and by email."""
    User = get_user_model()
    acting = ActingAssignment.objects.active().filter(role=step.actor.group_id).values("person")
    recipients = list(
        User.objects.filter(Q(groups=step.actor.group_id) | Q(pk__in=acting), is_active=True)
        .exclude(pk=getattr(exclude, "pk", None))
        .distinct()
    )
    message = _("%(title)s is waiting for you at step %(number)s: %(activity)s") % {
        "title": document.title,
        "number": step.number,
        "activity": step.activity[:120],
    }
    Notification.objects.bulk_create(
        Notification(recipient=u, document=document, message=message[:300]) for u in recipients
    )
    emails = [u.email for u in recipients if u.email]
    if emails:
        subject = _("[SAKIP] %(title)s is waiting for you") % {"title": document.title}
        url = document.get_absolute_url()
        body = f"{message}\n\n{url}\n"
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True))


def document_start(
    *, sop: Sop, title: str, year: int, by, note: str = "", files: Sequence[UploadedFile] = ()
) -> Document:
    """Open a document at the SOP's first step; only a holder of that step's actor may."""
    first = sop.steps.select_related("actor").order_by("number").first()
    if first is None:
        raise ValidationError(_("This SOP has no steps yet."))
    if not holds_actor(by, first):
        raise PermissionDenied(_("Only %(actor)s can start this document.") % {"actor": first.actor.name})
    _check_files(files)
    now = timezone.now()
    with transaction.atomic():
        document = Document.objects.create(
            sop=sop, title=title, year=year, current_step=first, step_started_at=now, created_by=by, created_at=now
        )
        # From now on this revision is history: later edits make a new revision.
        Sop.objects.filter(pk=sop.pk, in_use_since__isnull=True).update(in_use_since=now)
        entry = HistoryEntry.objects.create(
            document=document,
            action=Action.START,
            step=first,
            actor=first.actor,
            by=by,
            note=note,
            to_step=first,
            step_started_at=now,
            step_ended_at=now,
            standard_duration=first.duration,
            standard_unit=first.duration_unit,
        )
        _store_files(document, entry, first, files, by)
        document_started.send(sender=Document, document=document, by=by)
        _notify_arrival(document, first, exclude=by)
    return document


def _target_of(step: Step, action: str) -> Step | None:
    if action == Action.RETURN:
        return step.sop.steps.get(number=step.return_to)
    if action == Action.FINISH:
        return None
    return step.sop.steps.filter(number__gt=step.number).order_by("number").first()


def _move(
    current: Document, read_version: int, *, step: Step, action: str, by, target: Step | None, reason="", note=""
) -> HistoryEntry:
    """Move the document from ``step`` to ``target`` (None closes it) and write the history row.

    The UPDATE only applies while the document still has the version the person
    saw: of two people acting at once, the second changes no row and is told
    the document moved on. SQLite ignores row locks, so this is the lock that
    works on both databases.
    """
    now = timezone.now()
    if target is not None:
        status = Document.Status.ACTIVE
    else:
        status = Document.Status.CANCELLED if action == Action.CANCEL else Document.Status.FINISHED
    moved = Document.objects.filter(pk=current.pk, version=read_version, status=Document.Status.ACTIVE).update(
        current_step=target,
        status=status,
        closed_at=None if target is not None else now,
        step_started_at=now,
        version=F("version") + 1,
    )
    if moved != 1:
        raise DocumentMovedOn
    return HistoryEntry.objects.create(
        document=current,
        action=action,
        step=step,
        actor=None if action == Action.CANCEL else step.actor,
        by=by,
        reason=reason,
        note=note,
        to_step=target,
        step_started_at=current.step_started_at,
        step_ended_at=now,
        standard_duration=step.duration,
        standard_unit=step.duration_unit,
    )


def document_transition(
    *,
    document: Document,
    action: str,
    by,
    reason: str = "",
    note: str = "",
    requirements_confirmed: bool = False,
    files: Sequence[UploadedFile] = (),
) -> Document:
    """Act on the document's current step, as read in ``document`` (its version).

    Raises PermissionDenied when ``by`` may not take this action, ValidationError
    when the step's own conditions are not met (a reason to return, the
    requirements confirmed, the output recorded, the paper attached), and
    DocumentMovedOn when another person acted first.
    """
    reason = reason.strip()
    note = note.strip()
    with transaction.atomic():
        current = Document.objects.select_related("current_step__actor", "current_step__sop").get(pk=document.pk)
        if current.version != document.version or current.status != Document.Status.ACTIVE:
            raise DocumentMovedOn
        step = current.current_step
        if not holds_actor(by, step):
            raise PermissionDenied(_("Only %(actor)s can act on this step.") % {"actor": step.actor.name})
        if action not in ACTIONS_BY_KIND[step.kind]:
            raise PermissionDenied(_("This action is not possible at this step."))
        if action == Action.APPROVE and drafter_of(current, step) == by:
            raise PermissionDenied(_("You drafted this document, so someone else must approve it."))
        errors: dict[str, str] = {}
        if action == Action.RETURN and not reason:
            errors["reason"] = _("Say why the draft goes back.")
        if action in FORWARD and step.requirement and not requirements_confirmed:
            errors["requirements_confirmed"] = _("Confirm that the requirements of this step are complete.")
        if action in RECORDS_OUTPUT and step.output and not note:
            errors["note"] = _("Record the output of this step: %(output)s.") % {"output": step.output}
        if action in RECORDS_OUTPUT and step.attachment_required and not files:
            errors["files"] = _("Attach the output of this step as a file: %(output)s.") % {"output": step.output}
        if action == Action.RETURN and Signature.objects.filter(document=current).exists():
            errors["reason"] = _("A signed document cannot go back for changes.")
        if step.is_signature and action in FORWARD:
            errors.update(_signature_problems(by, step))
        if errors:
            raise ValidationError(errors)
        _check_files(files)

        target = _target_of(step, action)
        entry = _move(
            current, document.version, step=step, action=action, by=by, target=target, reason=reason, note=note
        )
        if step.is_signature and action in FORWARD:
            _sign(current, entry, by)
        # Content apps may still refuse here; files are written only after they agreed,
        # so that a refused transition leaves no stray file in storage.
        document_transitioned.send(sender=Document, document=current, entry=entry, target=target)
        _store_files(current, entry, step, files, by)
        if target is not None:
            _notify_arrival(current, target, exclude=by)
    current.refresh_from_db()
    return current


def _signature_problems(user, step: Step) -> dict[str, str]:
    """What keeps ``user`` from signing at ``step``: their profile must carry what a signature prints."""
    profile = Profile.objects.filter(user=user).first()
    acting = acting_assignment(user, step.actor.group_id)
    missing = []
    if not user.get_full_name():
        missing.append(_("full name"))
    if profile is None or not profile.nip:
        missing.append(_("NIP"))
    if acting is None and (profile is None or not profile.jabatan):
        missing.append(_("position (jabatan)"))
    if missing:
        return {
            "signature": _("Your profile lacks what a signature prints: %(missing)s. Ask the administrator.")
            % {"missing": ", ".join(missing)}
        }
    try:
        validate_nip(profile.nip)
    except ValidationError as exc:
        return {"signature": _("Your NIP in the profile is not valid: %(reason)s") % {"reason": exc.messages[0]}}
    return {}


def _sign(document: Document, entry: HistoryEntry, by) -> Signature:
    """Freeze who signed, as what, when and where; the initial (paraf) is the approval before it."""
    profile = by.profile
    acting = acting_assignment(by, entry.step.actor.group_id)
    paraf = (
        document.history.filter(action=Action.APPROVE, step__number__lt=entry.step.number)
        .exclude(pk=entry.pk)
        .select_related("by__profile", "actor")
        .order_by("-step_ended_at", "-pk")
        .first()
    )
    paraf_profile = getattr(paraf.by, "profile", None) if paraf else None
    return Signature.objects.create(
        document=document,
        entry=entry,
        signer=by,
        name=by.get_full_name(),
        prefix=acting.prefix if acting else "",
        jabatan=acting.jabatan if acting else profile.jabatan,
        pangkat=profile.pangkat,
        nip=profile.nip,
        place=settings.SIGNATURE_PLACE,
        signed_at=entry.step_ended_at,
        paraf_name=paraf.by.get_full_name() if paraf else "",
        paraf_jabatan=(paraf_profile.jabatan if paraf_profile and paraf_profile.jabatan else paraf.actor.name)
        if paraf
        else "",
        paraf_at=paraf.step_ended_at if paraf else None,
        token=secrets.token_urlsafe(24),  # 192 bits
    )


def may_cancel(document: Document, user) -> bool:
    """Administrators, and the holders of the role that starts documents of this SOP; never once signed."""
    if document.status != Document.Status.ACTIVE or Signature.objects.filter(document=document).exists():
        return False
    if user.is_staff:
        return True
    first = document.sop.steps.select_related("actor").order_by("number").first()
    return first is not None and holds_actor(user, first)


def document_cancel(*, document: Document, by, reason: str) -> Document:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the document is cancelled.")})
    with transaction.atomic():
        current = Document.objects.select_related("current_step__actor").get(pk=document.pk)
        if current.version != document.version or current.status != Document.Status.ACTIVE:
            raise DocumentMovedOn
        if not may_cancel(current, by):
            raise PermissionDenied(_("You may not cancel this document."))
        _move(
            current,
            document.version,
            step=current.current_step,
            action=Action.CANCEL,
            by=by,
            target=None,
            reason=reason,
        )
    current.refresh_from_db()
    return current
