"""Notifications: who hears of a move, what they are told, and when a notification stops counting.

The stored message says what happened (passed to you, returned to you and why, finished), which stays
true however the document moves on; the list shows beside it where the document is now, read when the
list is shown (``current_state``). A move settles the document's unread notifications in the move's
transaction: they announced the step it has left, whose work is now done. Opening a notification, or its
document, marks it read. Mail goes with the in-app notification to those who want it (``wants_email``),
into the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from sakip.accounts.models import ActingAssignment, wants_email
from sakip.sops.models import Step
from sakip.workflow.models import Document, HistoryEntry, Notification, Signature
from sakip.workflow.outbox import mail_enqueue

MESSAGE_MAX_LENGTH = Notification._meta.get_field("message").max_length
# What of a step's activity a notification or a list line quotes: the step is one click away.
ACTIVITY_LENGTH = 120


def _fit(text: str, limit: int) -> str:
    return Truncator(" ".join(text.split())).chars(limit)


def _date(moment) -> str:
    return date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


def step_holders(step: Step, *, exclude=None) -> list:
    """The active people holding ``step``'s actor today, by group or by acting, with their profiles."""
    acting = ActingAssignment.objects.active().filter(role=step.actor.group_id).values("person")
    people = (
        get_user_model()
        .objects.filter(Q(groups=step.actor.group_id) | Q(pk__in=acting), is_active=True)
        .exclude(pk=getattr(exclude, "pk", None))
        .select_related("profile")
        .distinct()
        .order_by("pk")
    )
    return list(people)


def _deliver(document: Document, recipients: Iterable, *, message: str, subject: str, body: str) -> None:
    """The in-app notification for everyone, and one mail to those of them who want mail."""
    recipients = list(recipients)
    Notification.objects.bulk_create(
        Notification(recipient=person, document=document, message=_fit(message, MESSAGE_MAX_LENGTH))
        for person in recipients
    )
    emails = [person.email for person in recipients if person.email and wants_email(person)]
    if emails:
        # Into the outbox, in the move's transaction: a refused move leaves no mail, a move that happened
        # always leaves its mail, and the mail server is never reached from the request (manage.py send_outbox).
        body += f"\n\n{settings.SITE_URL}{document.get_absolute_url()}\n"
        mail_enqueue(recipients=emails, subject=subject, body=body)


def notify_arrival(document: Document, step: Step, *, exclude=None, entry: HistoryEntry | None = None) -> None:
    """Tell the holders of ``step``'s actor that the document waits for them; when ``entry`` returned it there,
    who returned it and why."""
    recipients = step_holders(step, exclude=exclude)
    if not recipients:
        return
    returned = entry is not None and entry.action == HistoryEntry.Action.RETURN
    facts = {"title": document.title, "number": step.number}
    # Messages go to other people than the one acting: in the office's language, not the actor's.
    with translation.override(settings.LANGUAGE_CODE):
        if returned:
            message = _("%(title)s was returned to you at step %(number)s by %(name)s. Reason: %(reason)s") % {
                **facts,
                "name": entry.by_name,
                "reason": " ".join(entry.reason.split()),
            }
            subject = _("[SAKIP] %(title)s was returned to you") % facts
            body = "\n".join(
                [
                    _("%(title)s was returned to you at step %(number)s: %(activity)s")
                    % {**facts, "activity": step.activity},
                    "",
                    _("Returned by %(name)s. Reason:") % {"name": entry.by_name},
                    entry.reason,
                ]
            )
        else:
            message = _("%(title)s was passed to you at step %(number)s: %(activity)s") % {
                **facts,
                "activity": _fit(step.activity, ACTIVITY_LENGTH),
            }
            subject = _("[SAKIP] %(title)s is waiting for you") % facts
            body = _("%(title)s is waiting for you at step %(number)s: %(activity)s") % {
                **facts,
                "activity": step.activity,
            }
    _deliver(document, recipients, message=message, subject=subject, body=body)


def notify_finished(document: Document, *, by, signature: Signature | None) -> None:
    """Tell whoever started the document and whoever signed it that it is finished (not the one who finished it)."""
    people = {document.created_by_id}
    if signature is not None:
        people.add(signature.signer_id)
    people.discard(getattr(by, "pk", None))
    recipients = list(get_user_model().objects.filter(pk__in=people, is_active=True).select_related("profile"))
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if signature is not None:
            message = _("%(title)s is finished; signed by %(name)s on %(date)s.") % {
                "title": document.title,
                "name": signature.name,
                "date": _date(signature.signed_at),
            }
        else:
            message = _("%(title)s is finished.") % {"title": document.title}
        subject = _("[SAKIP] %(title)s is finished") % {"title": document.title}
    _deliver(document, recipients, message=message, subject=subject, body=message)


def settle(document: Document, *, at) -> None:
    """The document leaves its step: what announced that step no longer waits for anyone."""
    Notification.objects.filter(document=document, read_at__isnull=True).update(read_at=at)


# Reading them.

_UNREAD = "_sakip_unread_notifications"


def unread_count(request: HttpRequest) -> int:
    """The person's unread notifications: counted once per request (the navigation bar shows it)."""
    if not hasattr(request, _UNREAD):
        setattr(request, _UNREAD, Notification.objects.filter(recipient=request.user, read_at__isnull=True).count())
    return getattr(request, _UNREAD)


def mark_read_on_open(request: HttpRequest, document: Document) -> None:
    """The person opened ``document``: its notifications to them are read.

    One query answers both how many are unread and how many of them are this document's, so that the page
    pays nothing for it (the navigation bar's count comes from it); the UPDATE only runs when there is
    something to mark.
    """
    mine = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    counts = mine.aggregate(total=Count("pk"), here=Count("pk", filter=Q(document=document.pk)))
    if counts["here"]:
        mine.filter(document=document.pk).update(read_at=timezone.now())
    setattr(request, _UNREAD, counts["total"] - counts["here"])


def current_state(document: Document, roles: set[int]) -> str:
    """Where ``document`` is now, for someone holding ``roles``: the line beside each notification."""
    if document.status == Document.Status.ACTIVE:
        step = document.current_step
        # The step's activity is in the message already, or one click away.
        if step.actor.group_id in roles:
            return _("waiting for you at step %(number)s") % {"number": step.number}
        return _("at step %(number)s, with %(actor)s") % {"number": step.number, "actor": step.actor.name}
    if document.status == Document.Status.CANCELLED:
        return _("cancelled on %(date)s") % {"date": _date(document.closed_at)}
    signature = document.signed
    if signature is not None:
        return _("finished, signed on %(date)s") % {"date": _date(signature.signed_at)}
    return _("finished on %(date)s") % {"date": _date(document.closed_at)}
