"""Lesson progress, the course home, "continue", and the completion rule."""

from __future__ import annotations

import pytest
from conftest import csrf_from, sign_in_as
from quizhelpers import DAY1_RIGHT, DAY2_RIGHT, submit

REQUIRED = ["welcome", "passwords", "budget", "saving"]  # further-reading is optional


@pytest.fixture
def trainee(app, client, make_user, make_cohort, enrol):
    cohort_id, _ = make_cohort()
    user = make_user()
    enrolment_id = enrol(user, cohort_id)
    sign_in_as(client, user)
    return cohort_id, enrolment_id


def mark(client, cohort_id, slug):
    page = client.get(f"/cohorts/{cohort_id}/lessons/{slug}").get_data(as_text=True)
    return client.post(
        f"/cohorts/{cohort_id}/lessons/{slug}/done", data={"csrf_token": csrf_from(page)}
    )


def enrolment(app, enrolment_id):
    from lms.cohorts.models import Enrolment
    from lms.extensions import db

    with app.app_context():
        return db.session.get(Enrolment, enrolment_id)


def test_mark_done_moves_on_and_is_idempotent(app, client, trainee):
    cohort_id, enrolment_id = trainee
    assert (
        mark(client, cohort_id, "welcome").headers["Location"]
        == f"/cohorts/{cohort_id}/lessons/passwords"
    )
    mark(client, cohort_id, "welcome")
    from lms.extensions import db
    from lms.progress.models import LessonCompletion

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LessonCompletion)) == 1
    html = client.get(f"/cohorts/{cohort_id}/lessons/welcome").get_data(as_text=True)
    assert "You have done this lesson." in html
    assert enrolment(app, enrolment_id).last_active_at is not None


def test_last_lesson_of_a_day_leads_to_its_quiz(client, trainee):
    cohort_id, _ = trainee
    assert (
        mark(client, cohort_id, "further-reading").headers["Location"]
        == f"/cohorts/{cohort_id}/quizzes/day-1"
    )


def test_course_home_progress_and_continue(client, trainee):
    cohort_id, _ = trainee
    assert (
        client.get(f"/cohorts/{cohort_id}/continue").headers["Location"]
        == f"/cohorts/{cohort_id}/lessons/welcome"
    )
    mark(client, cohort_id, "welcome")
    mark(client, cohort_id, "passwords")
    assert (
        client.get(f"/cohorts/{cohort_id}/continue").headers["Location"]
        == f"/cohorts/{cohort_id}/quizzes/day-1"
    )
    home = client.get(f"/cohorts/{cohort_id}/").get_data(as_text=True)
    assert "2 of 2 lessons done" in home and "0 of 2 lessons done" in home
    # 4 required lessons + 2 day quizzes + taking the post-test
    assert '<progress max="7" value="2"' in home


def test_completing_the_rule_completes_the_enrolment(app, client, trainee):
    cohort_id, enrolment_id = trainee
    for slug in REQUIRED:
        mark(client, cohort_id, slug)
    submit(client, cohort_id, "day-1", DAY1_RIGHT)
    assert enrolment(app, enrolment_id).status == "active"  # day 2 quiz still to pass
    submit(client, cohort_id, "day-2", {"q-budget-savings": "1", "q-emergency-fund": "0"})
    assert enrolment(app, enrolment_id).status == "active"  # failed
    submit(client, cohort_id, "day-2", DAY2_RIGHT)
    assert enrolment(app, enrolment_id).status == "active"  # the post-test is still to take
    submit(client, cohort_id, "post-test", {"q-passphrase": "0", "q-percent": "500000"})
    done = enrolment(app, enrolment_id)
    assert done.status == "completed" and done.completed_at is not None
    home = client.get(f"/cohorts/{cohort_id}/").get_data(as_text=True)
    assert "You have completed this course" in home
    assert (
        client.get(f"/cohorts/{cohort_id}/continue").headers["Location"] == f"/cohorts/{cohort_id}/"
    )


def test_optional_lessons_and_tests_do_not_count(app, client, trainee):
    cohort_id, enrolment_id = trainee
    for slug in REQUIRED:
        mark(client, cohort_id, slug)
    submit(client, cohort_id, "day-1", DAY1_RIGHT)
    submit(client, cohort_id, "day-2", DAY2_RIGHT)
    submit(client, cohort_id, "post-test", {"q-passphrase": "1", "q-percent": "1"})
    # no optional lesson, no pre-test; the post-test taken, not passed
    assert enrolment(app, enrolment_id).status == "completed"


def test_progress_survives_edits_to_the_lesson(
    make_app, courses_dir, make_user, make_cohort, enrol
):
    app = make_app()
    cohort_id, _ = make_cohort()
    user = make_user()
    enrol(user, cohort_id)
    client = app.test_client()
    sign_in_as(client, user)
    mark(client, cohort_id, "welcome")
    lesson = courses_dir / "online-safety-basics" / "day-1-accounts" / "01-welcome.md"
    lesson.write_text(lesson.read_text().replace("Welcome!", "Hello and welcome!"))
    edited = make_app().test_client()
    sign_in_as(edited, user)
    html = edited.get(f"/cohorts/{cohort_id}/lessons/welcome").get_data(as_text=True)
    assert "Hello and welcome!" in html and "You have done this lesson." in html


def test_roster_shows_progress_per_day(app, client, trainee, make_user):
    cohort_id, enrolment_id = trainee
    mark(client, cohort_id, "welcome")
    submit(client, cohort_id, "day-1", DAY1_RIGHT)
    admin = make_user("admin")
    staff = app.test_client()
    sign_in_as(staff, admin)
    roster = staff.get(f"/teach/cohorts/{cohort_id}/").get_data(as_text=True)
    assert "2 of 7 done" in roster and "D1 1/2 ✓" in roster and "D2 0/2" in roster
    detail = staff.get(f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/").get_data(
        as_text=True
    )
    assert "day-1 #1: 100" in detail
