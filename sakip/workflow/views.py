"""The pages where people do their work: my tasks, the document list, a document and its actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sakip.accounts.roles import role_ids
from sakip.lib.paging import page_of
from sakip.sops.models import Sop
from sakip.sops.sheet import build_sheet
from sakip.sops.views import newest_revision_or_404
from sakip.workflow import panels
from sakip.workflow.action_messages import start_message, transition_message
from sakip.workflow.forms import ActionForm, CancelForm, DocumentFilterForm, StartDocumentForm
from sakip.workflow.models import Document, HistoryEntry, Notification
from sakip.workflow.notifications import current_state, mark_read_on_open
from sakip.workflow.panels import panels_for
from sakip.workflow.services import (
    DocumentMovedOn,
    content_binding,
    document_cancel,
    document_start,
    document_transition,
    entries_of,
    holds_actor,
    may_cancel,
    offered_actions,
    signature_preview,
)


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form fields it names, so the person sees it where it belongs."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def get_document_for_user(request: HttpRequest, pk: int) -> Document:
    """404 for a document the person may not see at all."""
    queryset = Document.objects.visible_to(request.user).select_related(
        "sop", "current_step__actor", "created_by", "signature__entry", *panels.RELATED
    )
    return get_object_or_404(queryset, pk=pk)


# The first screen of Tugas saya: the documents that have waited longest. The rest are one click away, in
# the document list filtered on "waiting for me", paged. Each row costs the page as much as its frame, so
# a person with thousands waiting gets the page as fast as one with a handful.
INBOX_SIZE = 20


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    waiting = list(Document.objects.awaiting(request.user)[: INBOX_SIZE + 1])
    more_waiting = len(waiting) > INBOX_SIZE
    waiting = waiting[:INBOX_SIZE]
    now, steps = timezone.now(), {}
    for document in waiting:
        document.overdue = document.is_overdue(now)
        step = steps.get(document.current_step_id)
        if step is None:
            # What a row says of its step is worked out once per step, not once per row.
            step = steps[document.current_step_id] = document.current_step
            step.heading = _("Step %(number)s (%(actor)s)") % {"number": step.number, "actor": step.actor.name}
            step.summary = Truncator(step.activity).chars(90)
            step.standard = _("standard %(duration)s") % {"duration": step.duration_label}
        document.current_step = step
    took_part = Document.objects.took_part(request.user).exclude(pk__in=[d.pk for d in waiting])[:20]
    startable = Sop.objects.current().startable_by(request.user).only("slug", "revision", "nama")
    context = {"waiting": waiting, "more_waiting": more_waiting, "took_part": took_part, "startable": startable}
    return render(request, "workflow/home.html", context)


@require_safe
def document_list(request: HttpRequest) -> HttpResponse:
    form = DocumentFilterForm(request.GET or None)
    documents = Document.objects.visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["waiting"]:
            # What waits for the person is a part of what they may see: that filter alone.
            documents = Document.objects.waiting_for(request.user)
        if data["q"]:
            documents = documents.filter(Q(title__icontains=data["q"]) | Q(sop__nama__icontains=data["q"]))
        if data["year"]:
            documents = documents.filter(year=data["year"])
        if data["status"]:
            documents = documents.filter(status=data["status"])
            if data["status"] != Document.Status.ACTIVE and (data["waiting"] or data["step"]):
                # Only a running document is at a step: asked together, nothing matches. Said without
                # asking the database, which would look through every closed document to find none.
                documents = documents.none()
        if data["step"]:
            documents = documents.filter(current_step__number=data["step"])
    # The count stops 1,000 rows past the page asked for: the page numbers say "or more" past it.
    documents = documents.select_related("sop", "current_step__actor").order_by("-created_at", "-pk")
    page = page_of(documents, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workflow/document_list.html", {"form": form, "page": page, "query": query.urlencode()})


@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, slug: str) -> HttpResponse:
    sop = newest_revision_or_404(slug)
    first = sop.first_step()
    if first is None or not holds_actor(request.user, first):
        raise PermissionDenied
    form = StartDocumentForm(request.POST or None, request.FILES or None, first_step=first, sop=sop)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The title is the office's own text, in its language whatever the reader's UI language;
        # on one line even where the SOP's name was imported with a line break.
        title = data["title"] or " ".join(f"{sop.nama} Tahun {data['year']}".split())
        try:
            document = document_start(
                sop=sop,
                title=title,
                year=data["year"],
                by=request.user,
                note=data["note"],
                requirements_confirmed=data.get("requirements_confirmed", False),
                files=data["files"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            start_message(document).send(request)
            return redirect(document)
    return render(request, "workflow/document_new.html", {"sop": sop, "form": form})


@require_safe
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_response(request, get_document_for_user(request, pk))


def _detail_response(request, document: Document, action_form: ActionForm | None = None, status: int = 200):
    mark_read_on_open(request, document)  # the person's notifications of it are read: no query added
    # Loaded once: the timeline shows it, and the rules deciding what may be done read it (entries_of).
    prefetch_related_objects(
        [document],
        Prefetch(
            "history",
            HistoryEntry.objects.select_related(
                "step", "actor", "to_step", "by", "signature", "distribution", *panels.HISTORY_RELATED
            ),
        ),
        *panels.PREFETCH,
    )
    history = entries_of(document)[::-1]
    actions, withheld = offered_actions(document, request.user)
    signature = document.signed
    context = {
        "document": document,
        # Built only when the template's cache of this revision's sheet misses.
        "sheet": SimpleLazyObject(lambda: build_sheet(document.sop)),
        "history": history,
        "attachments": document.attachments.select_related("step", "uploaded_by", "entry"),
        "panels": panels_for(request, document),
        "signature": signature,
        "binding": content_binding(document, signature),
        # A return stays on top until the drafter acts on it; then it is one entry of the timeline.
        "last_return": history[0] if history and history[0].action == HistoryEntry.Action.RETURN else None,
        "actions": actions,
        # At the signature step, for the signer: the signature as it will print, frozen by the signing's own code.
        "signing": signature_preview(document, request.user) if HistoryEntry.Action.APPROVE in actions else None,
        # Why the holder of the step is not offered the forward action: said in place of the button.
        "withheld": withheld,
        "action_form": (action_form or ActionForm(initial={"version": document.version}, step=document.current_step))
        if actions
        else None,
        "cancel_form": CancelForm(initial={"version": document.version})
        if may_cancel(document, request.user)
        else None,
    }
    return render(request, "workflow/document_detail.html", context, status=status)


@require_POST
def document_act(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request, pk)
    form = ActionForm(request.POST, request.FILES, step=document.current_step)
    if not form.is_valid():
        return _detail_response(request, document, form, status=400)
    data = form.cleaned_data
    read = Document(pk=document.pk, version=data["version"])
    try:
        moved = document_transition(
            document=read,
            action=data["action"],
            by=request.user,
            reason=data["reason"],
            note=data["note"],
            requirements_confirmed=data["requirements_confirmed"],
            files=data["files"],
            distribution=form.distribution(),
            signature_confirmed=data.get("signature_confirmed"),
        )
    except DocumentMovedOn as exc:
        messages.warning(request, str(exc))
    except ValidationError as exc:
        _add_errors(form, exc)
        return _detail_response(request, document, form, status=400)
    else:
        # The step acted at is the one the page showed: a document read at another version is refused above.
        transition_message(action=data["action"], step=document.current_step, document=moved).send(request)
    return redirect(document)


@require_POST
def document_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request, pk)
    if not may_cancel(document, request.user):
        raise PermissionDenied
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the document is cancelled."))
        return redirect(document)
    read = Document(pk=document.pk, version=form.cleaned_data["version"])
    try:
        cancelled = document_cancel(document=read, by=request.user, reason=form.cleaned_data["reason"])
    except DocumentMovedOn as exc:
        messages.warning(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        transition_message(action=HistoryEntry.Action.CANCEL, step=document.current_step, document=cancelled).send(
            request
        )
    return redirect(document)


@require_safe
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    document = get_document_for_user(request, pk)
    attachment = get_object_or_404(document.attachments, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first, each with where its document is now; POST marks them all read."""
    mine = request.user.notifications.select_related("document__current_step__actor", "document__signature")
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("workflow:notifications")
    page = page_of(mine, request.GET.get("page"), per_page=30)
    roles = role_ids(request.user)
    for note in page:
        # What the notification told is kept as it was told; where the document is now is read now.
        note.now = current_state(note.document, roles)
    return render(request, "workflow/notifications.html", {"page": page})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and goes to its document: only the recipient's own, and never to an
    address taken from the request."""
    note = get_object_or_404(Notification.objects.only("pk", "document_id", "read_at"), pk=pk, recipient=request.user)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("workflow:document", pk=note.document_id)
