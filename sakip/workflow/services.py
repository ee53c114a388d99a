"""The one write path of the workflow: starting, moving and cancelling documents.

Every rule is read from the SOP's data: what a step allows follows from its
kind, who may act from its actor, where a return goes from its return step.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sakip.accounts.models import ActingAssignment, Profile
from sakip.accounts.nip import validate_nip
from sakip.accounts.roles import acting_assignment, role_ids
from sakip.lib.text import has_text
from sakip.sops.models import Sop, Step
from sakip.workflow import notifications
from sakip.workflow.attachments import display_name, stored_name, validate_attachment
from sakip.workflow.content import approval_blockers, content_digest
from sakip.workflow.history import history_append
from sakip.workflow.models import Attachment, Distribution, Document, HistoryEntry, Signature
from sakip.workflow.register import NumberTaken, Reservation, number_predict, number_take
from sakip.workflow.signals import document_previewing, document_signing, document_started, document_transitioned

Action = HistoryEntry.Action
logger = logging.getLogger(__name__)

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


def entries_of(document: Document) -> list[HistoryEntry]:
    """The document's entries, oldest first: those the page prefetched, or one query.

    The rules below read the few entries of one document in Python, so that a page asking several
    of them pays for the history once.
    """
    if "history" in getattr(document, "_prefetched_objects_cache", {}):
        entries = list(document.history.all())
    else:
        entries = list(document.history.select_related("step"))
    return sorted(entries, key=lambda e: (e.step_ended_at, e.pk))


def drafter_of(document: Document, step: Step) -> int | None:
    """The id of who completed the draft a decision step is looking at: the last completion of its return step."""
    if step.return_to is None:
        return None
    completions = [e for e in entries_of(document) if e.action == Action.COMPLETE and e.step.number == step.return_to]
    return completions[-1].by_id if completions else None


def earlier_approval_by(document: Document, step: Step, user) -> int | None:
    """The number of an earlier decision step whose latest approval ``user`` gave, if ``step`` forbids that.

    Only the latest approval of each step counts: after a return, whoever approves the draft again
    is the one the step must differ from.
    """
    if not step.needs_other_person:
        return None
    latest: dict[int, int] = {}
    for entry in entries_of(document):
        if entry.action == Action.APPROVE and entry.step.is_decision and entry.step.number < step.number:
            latest[entry.step.number] = entry.by_id
    mine = [number for number, by_id in latest.items() if by_id == user.pk]
    return max(mine) if mine else None


def forward_refusal(document: Document, step: Step, user) -> str:
    """Why ``user``, who holds ``step``, may not take it forward; empty when they may.

    Both rules are the SOP's data: a decision's return step names the draft's author, who may not
    approve their own draft; a step marked for another person refuses the earlier approvers.
    """
    if step.is_decision and drafter_of(document, step) == user.pk:
        return _("You drafted this document, so someone else must approve it.")
    number = earlier_approval_by(document, step, user)
    if number is None:
        return ""
    if step.is_signature:
        message = _("You approved this document at step %(number)s (paraf); the signature must come from someone else.")
    else:
        message = _("You approved this document at step %(number)s; this step must be taken by someone else.")
    return message % {"number": number}


def offered_actions(document: Document, user) -> tuple[list[str], str]:
    """What ``user`` can do on the document now, and why a forward action is withheld (empty if none is)."""
    step = document.current_step
    if document.status != Document.Status.ACTIVE or not holds_actor(user, step):
        return [], ""
    actions = list(ACTIONS_BY_KIND[step.kind])
    withheld = forward_refusal(document, step, user) if any(a in FORWARD for a in actions) else ""
    if withheld:
        actions = [a for a in actions if a not in FORWARD]
    elif Action.APPROVE in actions and (blockers := approval_blockers(document)):
        actions.remove(Action.APPROVE)
        withheld = " ".join(blockers)
    return actions, withheld


def available_actions(document: Document, user) -> list[str]:
    return offered_actions(document, user)[0]


def _check_files(files: Sequence[UploadedFile]) -> None:
    errors = []
    for upload in files:
        try:
            validate_attachment(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Collect the names of the files written in the block, and delete them if the block fails.

    A rollback undoes the rows but not the files; left behind, they would sit in a folder that a
    later document with the same id will own. Wrap the transaction, so that a failing commit counts too.
    """
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        storage = Attachment._meta.get_field("file").storage
        for name in stored:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("Could not delete %s after a refused write", name)
        raise


def _store_files(
    document: Document, entry: HistoryEntry, step: Step, files: Sequence[UploadedFile], by, *, stored: list[str]
) -> None:
    for upload in files:
        attachment = Attachment(
            document=document,
            entry=entry,
            step=step,
            name=display_name(upload.name),
            size=upload.size,
            uploaded_by=by,
        )
        # The file is written first and its name noted before the row, so a failing INSERT is cleaned up too.
        attachment.file.save(stored_name(upload.name), upload, save=False)
        stored.append(attachment.file.name)
        attachment.save()


def _notify_arrival(document: Document, step: Step, *, exclude=None, entry: HistoryEntry | None = None) -> None:
    """Tell the holders of ``step``'s actor that the document waits for them, in the app and by email; with the
    reason, when ``entry`` returned it there."""
    notifications.notify_arrival(document, step, exclude=exclude, entry=entry)


def title_problem(title: str) -> str:
    """Why ``title`` cannot be a document's title (empty when it can): it is one line of visible text.

    The title goes into mail subjects, lists and the PDF, where a line break or a control character breaks the line.
    """
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in title):
        return _("The title must be one line, without line breaks or control characters.")
    # The usual title is made from the SOP's name, which may be longer than a title can be.
    limit = Document._meta.get_field("title").max_length
    if len(title) > limit:
        return _("The title can have at most %(limit)s characters; type a shorter one.") % {"limit": limit}
    return ""


def start_problems(first: Step, *, title: str, requirements_confirmed: bool, files: Sequence) -> dict[str, str]:
    """What keeps a document from starting at ``first``: the step's requirement, read from its data,
    must be confirmed, and when the step works on paper the requirement must be attached too."""
    errors: dict[str, str] = {}
    if problem := title_problem(title):
        errors["title"] = problem
    if first.requirement and not requirements_confirmed:
        errors["requirements_confirmed"] = _("Confirm that the requirements are complete: %(requirement)s.") % {
            "requirement": first.requirement
        }
    if first.requirement and first.attachment_required and not files:
        errors["files"] = _("Attach the requirement as a file: %(requirement)s.") % {"requirement": first.requirement}
    return errors


def document_start(
    *,
    sop: Sop,
    title: str,
    year: int,
    by,
    note: str = "",
    requirements_confirmed: bool = False,
    files: Sequence[UploadedFile] = (),
) -> Document:
    """Open a document at the SOP's first step; only a holder of that step's actor may.

    Like every forward action, the start needs the first step's requirements confirmed and, when the
    step works on paper, attached. Raises PermissionDenied or ValidationError (keyed by field).
    """
    first = sop.first_step()
    if first is None:
        raise ValidationError(_("This SOP has no steps yet."))
    if not holds_actor(by, first):
        raise PermissionDenied(_("Only %(actor)s can start this document.") % {"actor": first.actor.name})
    errors = start_problems(first, title=title, requirements_confirmed=requirements_confirmed, files=files)
    if errors:
        raise ValidationError(errors)
    _check_files(files)
    now = timezone.now()
    with _files_removed_on_failure() as stored, transaction.atomic():
        document = Document.objects.create(
            sop=sop, title=title, year=year, current_step=first, step_started_at=now, created_by=by, created_at=now
        )
        # From now on this revision is history: later edits make a new revision.
        Sop.objects.filter(pk=sop.pk, in_use_since__isnull=True).update(in_use_since=now)
        # Content apps add their content first (or refuse the start: no agreement for the year), so that
        # the start entry records the digest of what the document starts with.
        document_started.send(sender=Document, document=document, by=by)
        entry = history_append(
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
        # Files are written only once the content apps agreed.
        _store_files(document, entry, first, files, by, stored=stored)
        _notify_arrival(document, first, exclude=by)
    # Fresh: receivers cached relations on the object used inside.
    return Document.objects.select_related("sop", "current_step__actor").get(pk=document.pk)


def _target_of(step: Step, action: str) -> Step | None:
    if action == Action.RETURN:
        return step.sop.steps.get(number=step.return_to)
    if action == Action.FINISH:
        return None
    return step.sop.steps.filter(number__gt=step.number).order_by("number").first()


def _move(
    current: Document,
    read_version: int,
    *,
    step: Step,
    action: str,
    by,
    target: Step | None,
    reason="",
    note="",
    now=None,
) -> HistoryEntry:
    """Move the document from ``step`` to ``target`` (None closes it) and write the history row.

    The UPDATE only applies while the document still has the version the person
    saw: of two people acting at once, the second changes no row and is told
    the document moved on. SQLite ignores row locks, so this is the lock that
    works on both databases.
    """
    now = now or timezone.now()
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
    notifications.settle(current, at=now)  # what announced the step it leaves waits for nobody now
    # Written after the conditional UPDATE claimed the document: no other entry of it can come in between.
    return history_append(
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
    distribution: DistributionInput | None = None,
    signature_confirmed: bool | None = None,
) -> Document:
    """Act on the document's current step, as read in ``document`` (its version).

    Raises PermissionDenied when ``by`` may not take this action, ValidationError
    when the step's own conditions are not met (a reason to return, the
    requirements confirmed, the output recorded, the paper attached), and
    DocumentMovedOn when another person acted first. At a step that records the
    distribution, ``distribution`` is checked and kept with the step's entry. ``signature_confirmed``
    is the signer's explicit confirmation from the page (False refuses a signature; None: none asked).
    """
    request = _Request(
        version=document.version,
        action=action,
        by=by,
        reason=reason.strip(),
        note=note.strip(),
        requirements_confirmed=requirements_confirmed,
        files=files,
        distribution=distribution,
        signature_confirmed=signature_confirmed,
    )
    # A signature takes the next number of the register; another signing may take it between the
    # prediction (printed in the PDF) and the lock: then nothing is kept and the signing starts again.
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            return _transition(document.pk, request)
        except NumberTaken:
            logger.info("Document %s: its number was taken by another signing; signing again", document.pk)
    raise ValidationError({"signature": _("Other documents were being signed at the same moment. Sign again, please.")})


# How often a signing starts again when other signings take its number first.
NUMBER_ATTEMPTS = 5


def _transition(pk: int, request: _Request) -> Document:
    action, by, files = request.action, request.by, request.files
    with _files_removed_on_failure() as stored:
        # A signature's PDF takes up to a second or more to make: it is made before the write lock is taken,
        # so that nobody else's work waits for it, and the lock then checks that nothing changed meanwhile.
        signing = _prepare_signature(pk, request, stored=stored)
        with transaction.atomic():
            current = _read_for_update(pk)
            step = _check_transition(current, request)
            if signing is not None and content_digest(current) != signing.digest:
                raise DocumentMovedOn
            target = _target_of(step, action)
            entry = _move(
                current,
                request.version,
                step=step,
                action=action,
                by=by,
                target=target,
                reason=request.reason,
                note=request.note,
                now=signing.signature.signed_at if signing is not None else None,
            )
            if signing is not None:
                number_take(signing.number, document=current, at=signing.signature.signed_at)
                signing.signature.entry = entry
                signing.signature.save(force_insert=True)  # written once, with its PDF: never updated
            if request.distribution is not None and step.records_distribution and action in RECORDS_OUTPUT:
                Distribution.objects.create(
                    document=current,
                    entry=entry,
                    recipients=request.distribution.recipients,
                    copies=request.distribution.copies,
                    distributed_on=request.distribution.distributed_on,
                )
            # Content apps may still refuse here; files are written only after they agreed,
            # so that a refused transition leaves no stray file in storage.
            document_transitioned.send(sender=Document, document=current, entry=entry, target=target)
            _store_files(current, entry, step, files, by, stored=stored)
            if target is not None:
                _notify_arrival(current, target, exclude=by, entry=entry)
            elif action == Action.FINISH:
                # Whoever started it and whoever signed it hear that it is finished.
                notifications.notify_finished(
                    current, by=by, signature=signing.signature if signing is not None else current.signed
                )
    # A fresh object: the one used inside carries caches (its measurement, say) from before the change.
    return Document.objects.select_related("sop", "current_step__actor").get(pk=current.pk)


@dataclass(frozen=True)
class _Request:
    """What the person asked for, as read from their page."""

    version: int
    action: str
    by: object
    reason: str
    note: str
    requirements_confirmed: bool
    files: Sequence[UploadedFile]
    distribution: DistributionInput | None = None
    signature_confirmed: bool | None = None


@dataclass(frozen=True)
class DistributionInput:
    """What a step that records the distribution asks: who received the signed document, how many copies, when."""

    recipients: str
    copies: int
    distributed_on: date


@dataclass(frozen=True)
class _Signing:
    signature: Signature  # not saved yet; its PDF is in storage
    digest: str  # the content the PDF was made from
    number: Reservation  # the register's number the PDF prints, taken under the lock


def _read_for_update(pk: int) -> Document:
    return Document.objects.select_related("current_step__actor", "current_step__sop").get(pk=pk)


def _check_transition(current: Document, request: _Request) -> Step:
    """Every rule of the step for this request; the step when it may go ahead."""
    action, by = request.action, request.by
    if current.version != request.version or current.status != Document.Status.ACTIVE:
        raise DocumentMovedOn
    step = current.current_step
    if not holds_actor(by, step):
        raise PermissionDenied(_("Only %(actor)s can act on this step.") % {"actor": step.actor.name})
    if action not in ACTIONS_BY_KIND[step.kind]:
        raise PermissionDenied(_("This action is not possible at this step."))
    if action in FORWARD and (refusal := forward_refusal(current, step, by)):
        raise PermissionDenied(refusal)
    errors: dict[str, str] = {}
    if action == Action.RETURN and not has_text(request.reason):
        errors["reason"] = _("Say why the draft goes back.")
    if action in FORWARD and step.requirement and not request.requirements_confirmed:
        errors["requirements_confirmed"] = _("Confirm that the requirements of this step are complete.")
    if action in RECORDS_OUTPUT and step.output and not request.note:
        errors["note"] = _("Record the output of this step: %(output)s.") % {"output": step.output}
    if action in RECORDS_OUTPUT and step.attachment_required and not request.files:
        errors["files"] = _("Attach the output of this step as a file: %(output)s.") % {"output": step.output}
    if action == Action.RETURN and current.signed is not None:
        errors["reason"] = _("A signed document cannot go back for changes.")
    if action == Action.APPROVE and (blockers := approval_blockers(current)):
        errors["content"] = " ".join(blockers)
    if step.is_signature and action in FORWARD:
        errors.update(_signature_problems(by, step))
        errors.update(_content_problems(current))
        if request.signature_confirmed is False:
            errors["signature_confirmed"] = _(
                "Tick the box to confirm that you checked the preview and sign the document."
            )
    if request.distribution is not None and step.records_distribution and action in RECORDS_OUTPUT:
        errors.update(distribution_problems(current, request.distribution))
    if errors:
        raise ValidationError(errors)
    _check_files(request.files)
    return step


def _prepare_signature(pk: int, request: _Request, *, stored: list[str]) -> _Signing | None:
    """For a forward action at a signature step: the signature, its PDF made and stored; else None.

    Runs outside any transaction. The same checks as under the lock come first, so that a refused
    signature makes no PDF.
    """
    current = _read_for_update(pk)
    step = current.current_step
    if current.status != Document.Status.ACTIVE or not step.is_signature or request.action not in FORWARD:
        return None
    _check_transition(current, request)
    digest = content_digest(current)
    signature = _signature_for(current, step, request.by, signed_at=timezone.now())
    number = number_predict(signature.signed_at)
    current.number = number.number  # what the PDF prints; written to the row when the number is taken
    document_signing.send(sender=Document, document=current, signature=signature)
    if signature.pdf:
        stored.append(signature.pdf.name)  # removed again if the signing does not commit
    return _Signing(signature=signature, digest=digest, number=number)


def distribution_problems(document: Document, distribution: DistributionInput) -> dict[str, str]:
    """What is wrong with a distribution record of ``document``, by field; empty when nothing is."""
    errors: dict[str, str] = {}
    if not has_text(distribution.recipients):
        errors["recipients"] = _("Name who received the document.")
    if distribution.copies is None or distribution.copies < 1:
        errors["copies"] = _("The number of copies must be 1 or more.")
    today = timezone.localdate()
    signature = document.signed
    if distribution.distributed_on > today:
        errors["distributed_on"] = _("The date cannot be in the future.")
    elif signature is not None and distribution.distributed_on < timezone.localdate(signature.signed_at):
        errors["distributed_on"] = _("The date cannot be before the signature (%(date)s).") % {
            "date": date_format(timezone.localdate(signature.signed_at), "DATE_FORMAT")
        }
    return errors


def signature_preview(document: Document, by) -> Signature | None:
    """The signature ``by`` would give the document now, not saved and without a token: for the preview.

    None when they could not sign it (not the signature step, not theirs, their profile incomplete).
    Made by the same function that freezes the signer's data at signing: the preview prints what will be signed.
    """
    step = document.current_step
    if document.status != Document.Status.ACTIVE or step is None or not step.is_signature:
        return None
    if not holds_actor(by, step) or forward_refusal(document, step, by):
        return None
    signer = _signer(by, step, as_loaded=True)
    if _signature_problems(by, step, signer):
        return None
    signature = _signature_for(document, step, by, signed_at=timezone.now(), signer=signer)
    signature.token = ""
    return signature


def preview_pdf(document: Document, signature: Signature) -> bytes | None:
    """The PDF the content apps would sign, marked as a preview; None when no content app makes one."""
    for _receiver, response in document_previewing.send(sender=Document, document=document, signature=signature):
        if isinstance(response, bytes):
            return response
    return None


def _signer(user, step: Step, *, as_loaded: bool = False) -> tuple[Profile | None, ActingAssignment | None]:
    """The signer's profile, and the acting assignment by which they hold ``step``'s role (None: their own).

    A signing reads the profile afresh. A page (``as_loaded``) takes the one that came with the request's
    user (the authentication backend loads it in the same query).
    """
    if as_loaded:
        try:
            profile = user.profile
        except Profile.DoesNotExist:
            profile = None
    else:
        profile = Profile.objects.filter(user=user).first()
    return profile, acting_assignment(user, step.actor.group_id)


def _signature_problems(user, step: Step, signer=None) -> dict[str, str]:
    """What keeps ``user`` from signing at ``step``: their profile must carry what a signature prints."""
    profile, acting = signer or _signer(user, step)
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


def _content_problems(document: Document) -> dict[str, str]:
    """A signature binds the content that was approved: anything changed since then must be approved again."""
    approved = approved_content(document)
    if approved is None or not approved.content_sha256 or approved.content_sha256 == content_digest(document):
        return {}
    return {
        "content": _(
            "The content changed after it was approved at step %(number)s. It must be approved again "
            "before it can be signed: return it."
        )
        % {"number": approved.step.number}
    }


def _signature_for(document: Document, step: Step, by, *, signed_at, signer=None) -> Signature:
    """Who signs, as what, when and where, frozen; the initial (paraf) is the approval before it. Not saved.

    The one place the signer's data is frozen: the signing and the signer's preview both come here.
    """
    profile, acting = signer or _signer(by, step)
    approvals = [e for e in entries_of(document) if e.action == Action.APPROVE and e.step.number < step.number]
    paraf = approvals[-1] if approvals else None
    return Signature(
        document=document,
        signer=by,
        name=by.get_full_name(),
        prefix=acting.prefix if acting else "",
        on_behalf_of=step.signs_on_behalf_of,
        jabatan=acting.jabatan if acting else profile.jabatan,
        pangkat=profile.pangkat,
        nip=profile.nip,
        place=settings.SIGNATURE_PLACE,
        signed_at=signed_at,
        # The initial as it was recorded: the name and position frozen in the approval's entry.
        paraf_name=paraf.by_name if paraf else "",
        paraf_jabatan=(paraf.by_jabatan or paraf.actor.name) if paraf else "",
        paraf_at=paraf.step_ended_at if paraf else None,
        token=secrets.token_urlsafe(24),  # 192 bits
    )


def document_change_content(
    *, document: Document, version: int, by, action: str, apply: Callable[[Document], object], note: str = ""
) -> HistoryEntry:
    """Change a running document's content: the one way content apps write, like a transition.

    Claims the version the person read with the same conditional UPDATE as a move (DocumentMovedOn
    for a stale page), lets ``apply(document)`` check its own rules and write (it may raise
    PermissionDenied or ValidationError: nothing is then kept), and records the change in the history
    with the digest of the content as it now stands. The document stays at its step.
    """
    with transaction.atomic():
        claimed = Document.objects.filter(pk=document.pk, version=version, status=Document.Status.ACTIVE).update(
            version=F("version") + 1
        )
        if claimed != 1:
            raise DocumentMovedOn
        current = Document.objects.select_related("current_step__actor").get(pk=document.pk)
        apply(current)
        step = current.current_step
        return history_append(
            document=current,
            action=action,
            step=step,
            actor=step.actor,
            by=by,
            note=note,
            to_step=step,
            step_started_at=current.step_started_at,
            step_ended_at=timezone.now(),
            standard_duration=step.duration,
            standard_unit=step.duration_unit,
        )


@dataclass(frozen=True)
class ContentBinding:
    """What the document page says about signing and approval: the same content, or not."""

    approved: HistoryEntry  # the latest approval
    digest: str  # the content signed, or the content as it stands while unsigned
    signed: bool

    @property
    def same(self) -> bool:
        return self.approved.content_sha256 == self.digest


def content_binding(document: Document, signature: Signature | None) -> ContentBinding | None:
    """For a signed document, and one waiting at a signature step: is it the content that was approved?"""
    if signature is not None:
        approved = approved_content(document, before=signature.entry)
        if approved is None or not approved.content_sha256:
            return None
        return ContentBinding(approved=approved, digest=signature.entry.content_sha256, signed=True)
    step = document.current_step
    if document.status != Document.Status.ACTIVE or not step.is_signature or approval_blockers(document):
        return None
    approved = approved_content(document)
    if approved is None or not approved.content_sha256:
        return None
    return ContentBinding(approved=approved, digest=content_digest(document), signed=False)


def approved_content(document: Document, before: HistoryEntry | None = None) -> HistoryEntry | None:
    """The latest approval of the document (before the entry ``before``): the content a signature must match."""
    entries = entries_of(document)
    if before is not None:
        entries = entries[: [e.pk for e in entries].index(before.pk)]
    approvals = [e for e in entries if e.action == Action.APPROVE]
    return approvals[-1] if approvals else None


def may_cancel(document: Document, user) -> bool:
    """Administrators, and the holders of the role that starts documents of this SOP; never once signed."""
    if document.status != Document.Status.ACTIVE or document.signed is not None:
        return False
    if user.is_staff:
        return True
    first = document.sop.first_step()
    return first is not None and holds_actor(user, first)


def document_cancel(*, document: Document, by, reason: str) -> Document:
    reason = reason.strip()
    if not has_text(reason):
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
    # A fresh object: the one used inside carries caches (its measurement, say) from before the change.
    return Document.objects.select_related("sop", "current_step__actor").get(pk=current.pk)
