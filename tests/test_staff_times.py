"""Staff pages give times as the cohort lives them: its timezone, the reader's locale (with
the cohort's country: en_PK, not the US format), and attempts in the order they happened."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from conftest import sign_in_as
from quizhelpers import DAY1_WRONG, DAY2_RIGHT, submit

EARLY = datetime(2026, 12, 2, 5, 24, tzinfo=UTC)  # 10:24 in Karachi
LATER = datetime(2026, 12, 2, 9, 5, tzinfo=UTC)  # 14:05 in Karachi


def test_trainee_detail_times_in_the_cohorts_zone_and_in_time_order(
    make_app, make_user, make_cohort, enrol
):
    early = make_app(NOW=EARLY)
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor, timezone="Asia/Karachi", country="PK")
    trainee = make_user()
    enrolment_id = enrol(trainee, cohort_id)
    client = early.test_client()
    sign_in_as(client, trainee)
    submit(client, cohort_id, "day-2", DAY2_RIGHT)  # day 2 first, then day 1
    later = make_app(NOW=LATER).test_client()
    sign_in_as(later, trainee)
    submit(later, cohort_id, "day-1", DAY1_WRONG)
    staff = early.test_client()
    sign_in_as(staff, instructor)
    page = (
        staff.get(
            f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/",
            headers={"Accept-Language": "en"},
        )
        .get_data(as_text=True)
        .replace("\u202f", " ")
    )  # CLDR puts a narrow space before am
    attempts = page[page.index("<h2>Attempts</h2>") :]
    assert "02-Dec-2026, 10:24 am PKT" in attempts and "02-Dec-2026, 2:05 pm PKT" in attempts
    assert "12/2/26" not in page and "5:24 AM" not in page
    assert attempts.index("day-2 #1") < attempts.index("day-1 #1")  # the order they happened


def test_times_follow_the_readers_language(make_app, make_user, make_cohort, enrol):
    from lms.auth.models import User
    from lms.extensions import db

    app = make_app(NOW=EARLY)
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor, timezone="Asia/Makassar", country="ID")
    trainee = make_user()
    enrolment_id = enrol(trainee, cohort_id)
    client = app.test_client()
    sign_in_as(client, trainee)
    submit(client, cohort_id, "day-2", DAY2_RIGHT)
    with app.app_context():
        db.session.get(User, instructor.id).language = "id"
        db.session.commit()
    staff = app.test_client()
    sign_in_as(staff, instructor)
    page = staff.get(f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/").get_data(
        as_text=True
    )
    assert "2 Des 2026, 13.24 WITA" in page


def test_audit_log_times_in_the_cohorts_zone(make_app, make_user, make_cohort):
    app = make_app(NOW=EARLY)
    cohort_id, _ = make_cohort(timezone="Asia/Karachi", country="PK")
    admin = make_user("admin")
    client = app.test_client()
    sign_in_as(client, admin)
    page = client.get("/admin/audit", headers={"Accept-Language": "en"}).get_data(as_text=True)
    page = page.replace("\u202f", " ")
    rows = re.findall(r"<tr><td>([^<]+)</td><td>[^<]*</td><td><code>([^<]+)</code>", page)
    by_action = {action: when for when, action in rows}
    # the cohort was made by the (unfrozen) fixture app: check the form, not the minute
    assert re.fullmatch(
        r"\d\d-[A-Z][a-z]{2}-\d{4}, \d{1,2}:\d\d [ap]m PKT", by_action["cohort.create"]
    )
    assert "UTC" in by_action["user.create"], rows  # no cohort: said to be UTC
