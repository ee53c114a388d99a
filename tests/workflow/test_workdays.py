"""Standard times: minutes and hours on the clock, working days Monday to Friday in Asia/Jakarta."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from sakip.lib.workdays import deadline, duration_label

WIB = ZoneInfo("Asia/Jakarta")


def at(day: int, hour: int = 14, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=WIB)  # November 2026: the 23rd is a Monday


@pytest.mark.parametrize(
    ("start", "duration", "unit", "due"),
    [
        (at(23, 14, 0), 10, "minutes", at(23, 14, 10)),
        (at(23, 23, 30), 2, "hours", at(24, 1, 30)),
        (at(23), 1, "working_days", at(24)),  # Monday → Tuesday
        (at(27), 1, "working_days", at(30)),  # Friday afternoon → Monday afternoon
        (at(27), 3, "working_days", datetime(2026, 12, 2, 14, 0, tzinfo=WIB)),  # Fri → Wed
        (at(28, 10), 1, "working_days", datetime(2026, 12, 1, 0, 0, tzinfo=WIB)),  # Saturday counts from Monday 00:00
        (at(29, 20), 2, "working_days", datetime(2026, 12, 2, 0, 0, tzinfo=WIB)),  # Sunday evening too
    ],
)
def test_it_computes_the_deadline(start, duration, unit, due, settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    assert deadline(start, duration, unit) == due


def test_it_counts_working_days_in_jakarta_not_utc(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    # Friday 2026-11-27 23:00 UTC is already Saturday 06:00 in Jakarta: the clock starts on Monday.
    friday_night_utc = datetime(2026, 11, 27, 23, 0, tzinfo=ZoneInfo("UTC"))
    assert deadline(friday_night_utc, 1, "working_days") == datetime(2026, 12, 1, 0, 0, tzinfo=WIB)


def test_it_rejects_an_unknown_unit():
    with pytest.raises(ValueError, match="fortnights"):
        deadline(at(23), 1, "fortnights")


@pytest.mark.parametrize(
    ("language", "duration", "unit", "label"),
    [
        ("en", 1, "working_days", "1 working day"),
        ("en", 2, "working_days", "2 working days"),
        ("en", 1, "hours", "1 hour"),
        ("en", 10, "minutes", "10 minutes"),
        ("id", 1, "working_days", "1 hari kerja"),
        ("id", 30, "minutes", "30 menit"),
    ],
)
def test_it_writes_the_standard_time_as_people_read_it(language, duration, unit, label):
    with translation.override(language):
        assert duration_label(duration, unit) == label
