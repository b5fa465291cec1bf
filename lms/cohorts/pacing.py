"""When each day of a cohort opens. Pure: give it the cohort's settings and the time.

`scheduled`: Day N opens at local midnight (in the cohort's timezone) on start + N - 1.
`self`: every day is open.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def day_opens_at(start: date, timezone: str, pacing: str, day: int) -> datetime | None:
    """The aware UTC time Day `day` opens, or None when it is always open."""
    if pacing == "self":
        return None
    local_midnight = datetime.combine(start + timedelta(days=day - 1), time(0), ZoneInfo(timezone))
    return local_midnight.astimezone(UTC)


def is_day_open(start: date, timezone: str, pacing: str, day: int, now: datetime) -> bool:
    opens = day_opens_at(start, timezone, pacing, day)
    return opens is None or now >= opens


def has_ended(end: date | None, timezone: str, now: datetime) -> bool:
    """True after local midnight at the end of the cohort's last day."""
    if end is None:
        return False
    closes = datetime.combine(end + timedelta(days=1), time(0), ZoneInfo(timezone))
    return now >= closes.astimezone(UTC)
