"""A day not open yet shows its lesson titles (not links) and the day it opens, as the
reader's language writes a date: "Opens Thursday 3 December", no clock time or zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import sign_in_as

# Tuesday 1 December 2026, 10:00 in Karachi: Day 1 open, Day 2 opens Wednesday 2 December.
NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "opens", "lesson_title"),
    [
        ("en", "Wednesday 2 December", "A simple budget"),
        ("id", "Rabu 2 Desember", "Anggaran sederhana"),
        ("ur", "بدھ 2 دسمبر", None),
    ],
)
def test_a_locked_day_shows_its_lessons_and_the_day_it_opens(
    make_app, make_cohort, make_user, enrol, language, opens, lesson_title
):
    from lms.auth.models import User
    from lms.extensions import db

    app = make_app(NOW=NOW)
    cohort_id, _ = make_cohort(
        start_date=date(2026, 12, 1), timezone="Asia/Karachi", pacing="scheduled"
    )
    user = make_user()
    enrol(user, cohort_id)
    with app.app_context():
        db.session.get(User, user.id).language = language
        db.session.commit()
    client = app.test_client()
    sign_in_as(client, user)
    home = client.get(f"/cohorts/{cohort_id}/").get_data(as_text=True)
    day_two = home[home.index('<li class="day">', home.index('<li class="day">') + 1) :]
    assert opens in day_two, day_two[:600]
    assert "2026" not in day_two and "AM" not in day_two and "Pakistan" not in day_two
    assert "12:00" not in day_two and "00:00" not in day_two
    if lesson_title:
        assert lesson_title in day_two
    assert day_two.count('class="locked"') == 3  # two lessons and the quiz, not links
    assert f"/cohorts/{cohort_id}/lessons/budget" not in home
    closed = client.get(f"/cohorts/{cohort_id}/lessons/budget").get_data(as_text=True)
    assert opens in closed and "Pakistan" not in closed


def test_the_year_is_shown_when_the_day_opens_in_another_year(
    make_app, make_cohort, make_user, enrol
):
    app = make_app(NOW=datetime(2026, 12, 30, 5, 0, tzinfo=UTC))
    cohort_id, _ = make_cohort(
        start_date=date(2026, 12, 31), timezone="Asia/Karachi", pacing="scheduled"
    )
    user = make_user()
    enrol(user, cohort_id)
    client = app.test_client()
    sign_in_as(client, user)
    home = client.get(f"/cohorts/{cohort_id}/", headers={"Accept-Language": "en"})
    assert "Opens Friday 1 January 2027" in home.get_data(as_text=True)
