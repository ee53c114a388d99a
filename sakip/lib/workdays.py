"""Deadlines from an SOP's standard time: minutes, hours, or working days (Monday–Friday, local time)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import ngettext

MINUTES = "minutes"
HOURS = "hours"
WORKING_DAYS = "working_days"


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` moved forward by ``days`` working days, at the same local time of day.

    A step handed over on Friday afternoon with one working day is due Monday
    afternoon; one handed over on Saturday counts from Monday morning.
    """
    local = timezone.localtime(start)
    while local.weekday() >= 5:  # a weekend hand-over starts the clock on Monday 00:00
        local = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    remaining = days
    while remaining > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    return local


def deadline(start: datetime, duration: int, unit: str) -> datetime:
    if unit == MINUTES:
        return start + timedelta(minutes=duration)
    if unit == HOURS:
        return start + timedelta(hours=duration)
    if unit == WORKING_DAYS:
        return add_working_days(start, duration)
    raise ValueError(f"Unknown time unit {unit!r}")


def duration_label(duration: int, unit: str) -> str:
    """ "10 minutes", "1 working day": the standard time as a person reads it."""
    if unit == MINUTES:
        return ngettext("%(n)s minute", "%(n)s minutes", duration) % {"n": duration}
    if unit == HOURS:
        return ngettext("%(n)s hour", "%(n)s hours", duration) % {"n": duration}
    if unit == WORKING_DAYS:
        return ngettext("%(n)s working day", "%(n)s working days", duration) % {"n": duration}
    raise ValueError(f"Unknown time unit {unit!r}")
