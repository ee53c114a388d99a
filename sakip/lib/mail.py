"""Notification mail that can never break the action that caused it."""

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail

from sakip.lib.text import one_line

logger = logging.getLogger(__name__)

# Long enough for any document title the office uses; mail clients cut earlier anyway.
SUBJECT_MAX_LENGTH = 150


def send_notification(subject: str, body: str, recipients: Sequence[str]) -> bool:
    """Send ``body`` to ``recipients``; True when the mail server took it.

    Called after the action was committed (``transaction.on_commit``), so an
    exception here would answer 500 for a change that did happen. A failure is
    logged with its traceback for the administrator and otherwise swallowed:
    the in-app notification was written with the action and remains.
    """
    recipients = [address for address in recipients if address]
    if not recipients:
        return False
    # A line break in a subject is refused by Django (BadHeaderError), and a title may hold one.
    clean_subject = one_line(subject, max_length=SUBJECT_MAX_LENGTH)
    try:
        # Not fail_silently: Django's silence does not cover errors raised while the message
        # is built (a bad header) and hides the reason of the others; here each one is logged.
        send_mail(clean_subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    except Exception:
        logger.exception("Notification mail %r to %d recipient(s) was not sent.", clean_subject, len(recipients))
        return False
    return True
