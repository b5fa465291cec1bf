"""Quizzes over HTTP: no answers leak, grading, one-time tokens, limits, results, grants."""

from __future__ import annotations

import re

import pytest
from conftest import csrf_from, sign_in_as
from quizhelpers import DAY1_RIGHT, DAY1_WRONG, quiz_form, submit


@pytest.fixture
def trainee_in_cohort(app, client, make_user, make_cohort, enrol):
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    trainee = make_user()
    enrolment_id = enrol(trainee, cohort_id)
    sign_in_as(client, trainee)
    return cohort_id, enrolment_id, instructor


def attempts(app):
    from lms.extensions import db
    from lms.quizzes.models import QuizAttempt

    with app.app_context():
        return list(db.session.scalars(db.select(QuizAttempt).order_by(QuizAttempt.id)))


def test_quiz_page_holds_no_answers_or_feedback(client, trainee_in_cohort):
    cohort_id, *_ = trainee_in_cohort
    html = client.get(f"/cohorts/{cohort_id}/quizzes/day-1").get_data(as_text=True)
    assert "Four random words joined together" in html  # the choices are there...
    for secret in [
        "Length beats complexity",
        "first password attackers try",
        "3000",
        "two step verification",
        "2FA",
        "correct",
        "[x]",
        "feedback",
    ]:
        assert secret not in html, secret  # ...but no answer, no feedback
    payload = re.search(r'name="attempt" value="([^"]+)"', html).group(1)
    assert "3000" not in payload and "correct" not in payload


def test_quiz_page_is_an_accessible_plain_form(client, trainee_in_cohort):
    cohort_id, *_ = trainee_in_cohort
    html = client.get(f"/cohorts/{cohort_id}/quizzes/day-1").get_data(as_text=True)
    assert '<label class="choice"><input type="radio" name="q-strong-password"' in html
    assert '<input type="checkbox" name="q-phishing-signs"' in html
    assert 'aria-labelledby="q-save-percent-legend"' in html and 'inputmode="decimal"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # no inline script (strict CSP)


def test_right_answers_pass_and_results_teach(app, client, trainee_in_cohort):
    cohort_id, *_ = trainee_in_cohort
    response = submit(client, cohort_id, "day-1", DAY1_RIGHT)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cohorts/{cohort_id}/quizzes/day-1/attempts/1"
    [attempt] = attempts(app)
    assert (attempt.score, attempt.passed, attempt.number, attempt.max_points) == (100, True, 1, 5)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "100" in html and "passed" in html and "Length beats complexity" in html
    assert "2 attempts left" in html


def test_wrong_answers_fail_with_feedback(app, client, trainee_in_cohort):
    cohort_id, *_ = trainee_in_cohort
    location = submit(client, cohort_id, "day-1", DAY1_WRONG).headers["Location"]
    [attempt] = attempts(app)
    assert attempt.score == 0 and attempt.passed is False
    assert attempt.answers["second-factor"] is None
    html = client.get(location).get_data(as_text=True)
    assert "not passed yet" in html and "This is the first password attackers try." in html
    assert "Try again" in html


def test_submitting_twice_records_one_attempt(app, client, trainee_in_cohort):
    cohort_id, *_ = trainee_in_cohort
    form = quiz_form(client, cohort_id, "day-1")
    first = submit(client, cohort_id, "day-1", DAY1_RIGHT, form)
    again = submit(
        client, cohort_id, "day-1", DAY1_WRONG, form
    )  # a reload resubmits the same token
    assert first.headers["Location"] == again.headers["Location"]
    assert [a.score for a in attempts(app)] == [100]


def test_attempts_limit_and_instructor_grant(app, client, trainee_in_cohort):
    cohort_id, enrolment_id, instructor = trainee_in_cohort
    for _ in range(3):
        submit(client, cohort_id, "day-1", DAY1_WRONG)
    page = client.get(f"/cohorts/{cohort_id}/quizzes/day-1").get_data(as_text=True)
    assert "You have used all your attempts" in page and 'name="attempt"' not in page
    assert len(attempts(app)) == 3

    staff = app.test_client()
    sign_in_as(staff, instructor)
    detail = staff.get(f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/").get_data(
        as_text=True
    )
    assert "3 / 3" in detail
    staff.post(
        f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/grant/day-1",
        data={"csrf_token": csrf_from(detail)},
    )
    assert submit(client, cohort_id, "day-1", DAY1_RIGHT).status_code == 302
    assert [a.passed for a in attempts(app)] == [False, False, False, True]
    with app.app_context():
        from lms.audit.models import AuditEntry
        from lms.extensions import db

        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "quiz.grant_attempt")
        ).one()
        assert entry.actor_id == instructor.id and entry.details["quiz"] == "day-1"


def test_tampered_or_foreign_payload_is_refused(app, client, trainee_in_cohort):
    cohort_id, *_ = trainee_in_cohort
    form = quiz_form(client, cohort_id, "day-1")
    bad = submit(
        client, cohort_id, "day-1", DAY1_RIGHT, {**form, "attempt": form["attempt"][:-3] + "abc"}
    )
    assert bad.status_code == 200 and "not valid any more" in bad.get_data(as_text=True)
    other_quiz = submit(client, cohort_id, "day-2", {}, {**form})
    assert "not valid any more" in other_quiz.get_data(as_text=True)
    assert attempts(app) == []


def test_shuffled_order_is_stored_with_the_attempt(app, client, trainee_in_cohort):
    cohort_id, *_ = trainee_in_cohort
    orders = set()
    for _ in range(6):
        html = client.get(f"/cohorts/{cohort_id}/quizzes/day-1").get_data(as_text=True)
        orders.add(tuple(re.findall(r'name="q-strong-password" value="(\d)"', html)))
    assert len(orders) > 1  # shuffle: true
    submit(client, cohort_id, "day-1", DAY1_RIGHT)
    [attempt] = attempts(app)
    shown = [c["index"] for c in attempt.questions[0]["choices"]]
    assert sorted(shown) == [0, 1, 2] and attempt.questions[0]["text"].startswith("Which of these")


def test_history_stays_true_after_the_course_changes(
    make_app, courses_dir, make_user, make_cohort, enrol
):
    app = make_app()
    cohort_id, _ = make_cohort()
    trainee = make_user()
    enrol(trainee, cohort_id)
    client = app.test_client()
    sign_in_as(client, trainee)
    location = submit(client, cohort_id, "day-1", DAY1_RIGHT).headers["Location"]
    quiz = courses_dir / "online-safety-basics" / "day-1-accounts" / "quiz.md"
    quiz.write_text(
        quiz.read_text().replace(
            "Which of these is the strongest password?", "Pick the best password"
        )
    )
    edited = make_app().test_client()
    sign_in_as(edited, trainee)
    html = edited.get(location).get_data(as_text=True)
    assert (
        "Which of these is the strongest password?" in html and "Pick the best password" not in html
    )


def test_pre_test_is_one_attempt_and_never_blocks(app, client, trainee_in_cohort):
    cohort_id, *_ = trainee_in_cohort
    submit(client, cohort_id, "pre-test", {"q-passphrase": "0", "q-percent": "5"})
    again = client.get(f"/cohorts/{cohort_id}/quizzes/pre-test").get_data(as_text=True)
    assert "You have taken this check." in again and 'name="attempt"' not in again
    assert client.get(f"/cohorts/{cohort_id}/lessons/welcome").status_code == 200


def test_other_trainees_attempts_are_not_reachable(
    app, client, trainee_in_cohort, make_user, enrol
):
    cohort_id, *_ = trainee_in_cohort
    submit(client, cohort_id, "day-1", DAY1_RIGHT)
    other = make_user()
    enrol(other, cohort_id)
    snoop = app.test_client()
    sign_in_as(snoop, other)
    assert snoop.get(f"/cohorts/{cohort_id}/quizzes/day-1/attempts/1").status_code == 404
