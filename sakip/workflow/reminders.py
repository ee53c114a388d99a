"""The daily reminder: each person gets one mail listing the documents that wait for them past their standard time."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sakip.accounts.models import ActingAssignment
from sakip.workflow.models import Document, OutgoingMail
from sakip.workflow.outbox import mail_enqueue


def reminder_key(person, day) -> str:
    """One reminder per person and day: the outbox refuses a second mail with the same key."""
    return f"remind-overdue:{day.isoformat()}:{person.pk}"


def overdue_reminders_queue(*, now: datetime | None = None) -> int:
    """Write today's reminder of each person with overdue tasks to the outbox; the number written.

    Run twice on one day, the second run writes nothing: the reminder is keyed on the local date.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    acting = ActingAssignment.objects.active(today).values("person")
    people = (
        get_user_model()
        .objects.filter(Q(groups__isnull=False) | Q(pk__in=acting), is_active=True)
        .exclude(email="")
        .exclude(profile__email_notifications=False)  # they chose no mail (profile page)
        .distinct()
        .order_by("pk")
    )
    queued = 0
    for person in people:
        key = reminder_key(person, today)
        if OutgoingMail.objects.filter(key=key).exists():
            continue
        # The list of Tugas saya, as the person sees it at home, keeping what is past its time.
        overdue = [document for document in Document.objects.awaiting(person) if document.is_overdue(now)]
        if not overdue:
            continue
        subject, body = _reminder(person, overdue)
        if mail_enqueue(recipients=[person.email], subject=subject, body=body, key=key):
            queued += 1
    return queued


def _reminder(person, documents: list[Document]) -> tuple[str, str]:
    # The office's language: a command has no visitor whose language it could follow.
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "[SAKIP] %(count)s overdue task",
            "[SAKIP] %(count)s overdue tasks",
            len(documents),
        ) % {"count": len(documents)}
        lines = [
            _("Dear %(name)s,") % {"name": person.get_full_name() or person.get_username()},
            "",
            _("These documents are waiting for you and are past their standard time:"),
            "",
        ]
        for document in documents:
            step = document.current_step
            lines += [
                f"- {document.title}",
                "  " + _("Step %(number)s: %(activity)s") % {"number": step.number, "activity": step.activity},
                "  "
                + _("Due %(date)s") % {"date": date_format(timezone.localtime(document.due_at).date(), "DATE_FORMAT")},
                f"  {settings.SITE_URL}{document.get_absolute_url()}",
                "",
            ]
        lines += [
            _("Your tasks: %(url)s") % {"url": settings.SITE_URL + reverse("home")},
            "",
            _("This reminder comes once a working day while tasks are overdue."),
        ]
    return subject, "\n".join(lines) + "\n"
