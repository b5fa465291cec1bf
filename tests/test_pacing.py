"""Scheduled pacing across timezones, with a controllable clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import sign_in_as

from lms.cohorts.pacing import day_opens_at, has_ended, is_day_open

START = date(2026, 12, 1)


def test_day_opens_at_local_midnight():
    # Karachi is UTC+5: Day 1 opens 2026-11-30 19:00 UTC, Day 2 a day later.
    assert day_opens_at(START, "Asia/Karachi", "scheduled", 1) == datetime(
        2026, 11, 30, 19, tzinfo=UTC
    )
    assert day_opens_at(START, "Asia/Karachi", "scheduled", 2) == datetime(
        2026, 12, 1, 19, tzinfo=UTC
    )
    # Makassar is UTC+8.
    assert day_opens_at(START, "Asia/Makassar", "scheduled", 3) == datetime(
        2026, 12, 2, 16, tzinfo=UTC
    )
    assert day_opens_at(START, "Asia/Makassar", "self", 3) is None


@pytest.mark.parametrize(
    ("tz", "now", "open_days"),
    [
        ("Asia/Karachi", datetime(2026, 11, 30, 18, 59, tzinfo=UTC), []),
        ("Asia/Karachi", datetime(2026, 11, 30, 19, 0, tzinfo=UTC), [1]),
        ("Asia/Makassar", datetime(2026, 11, 30, 19, 0, tzinfo=UTC), [1]),
        ("Asia/Makassar", datetime(2026, 12, 1, 16, 0, tzinfo=UTC), [1, 2]),
        ("Asia/Karachi", datetime(2026, 12, 1, 16, 0, tzinfo=UTC), [1]),  # still Dec 1 in Karachi
        ("Asia/Karachi", datetime(2026, 12, 1, 19, 0, tzinfo=UTC), [1, 2]),
    ],
)
def test_open_days_depend_on_the_cohort_timezone(tz, now, open_days):
    assert [d for d in (1, 2, 3) if is_day_open(START, tz, "scheduled", d, now)] == open_days


def test_cohort_ends_after_its_last_local_day():
    assert not has_ended(
        date(2026, 12, 5), "Asia/Makassar", datetime(2026, 12, 5, 15, 59, tzinfo=UTC)
    )
    assert has_ended(date(2026, 12, 5), "Asia/Makassar", datetime(2026, 12, 5, 16, 0, tzinfo=UTC))
    assert not has_ended(None, "UTC", datetime(2100, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("tz", ["Asia/Karachi", "Asia/Makassar"])
def test_course_home_and_lessons_follow_the_clock(make_app, make_cohort, make_user, enrol, tz):
    # 17:00 UTC on Dec 1 is Dec 1 22:00 in Karachi (Day 2 closed) and Dec 2 01:00 in Makassar (open).
    app = make_app(NOW=datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    cohort_id, _ = make_cohort(start_date=START, timezone=tz, pacing="scheduled")
    trainee = make_user()
    enrol(trainee, cohort_id)
    client = app.test_client()
    sign_in_as(client, trainee)
    home = client.get(f"/cohorts/{cohort_id}/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    budget = client.get(f"/cohorts/{cohort_id}/lessons/budget", headers={"Accept-Language": "en"})
    assert client.get(f"/cohorts/{cohort_id}/lessons/welcome").status_code == 200
    if tz == "Asia/Karachi":
        assert budget.status_code == 403
        assert "Day 2 is not open yet" in budget.get_data(as_text=True)
        assert "Opens Wednesday 2 December" in home and "Pakistan" not in home
        assert f"/cohorts/{cohort_id}/lessons/budget" not in home and "A simple budget" in home
    else:
        assert budget.status_code == 200
        assert f"/cohorts/{cohort_id}/lessons/budget" in home


def test_staff_preview_sees_closed_days(make_app, make_cohort, make_user):
    app = make_app(NOW=datetime(2026, 11, 1, tzinfo=UTC))
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor, start_date=START, pacing="scheduled")
    client = app.test_client()
    sign_in_as(client, instructor)
    assert client.get(f"/cohorts/{cohort_id}/lessons/budget").status_code == 200
