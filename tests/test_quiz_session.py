"""Answers sent after the session ended are not lost: the person signs in and comes back
to the quiz with the answers filled in, on the same one-time form (counted once)."""

from __future__ import annotations

import html as htmlib
import re
import time

from conftest import DEFAULT_PASSWORD, csrf_from, sign_in_as
from quizhelpers import DAY1_RIGHT, quiz_form


def expire_session(client) -> None:
    """The idle timeout passes (a trainee comes back after more than a week)."""
    with client.session_transaction() as session:
        session["_seen"] = int(time.time()) - 8 * 24 * 3600


def attempts(app) -> list[tuple[int, str]]:
    from sqlalchemy import select

    from lms.extensions import db
    from lms.quizzes.models import QuizAttempt

    with app.app_context():
        return [
            (a.number, str(a.score))
            for a in db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id))
        ]


def sign_in_form(client, location: str, login: str):
    page = client.get(location).get_data(as_text=True)
    next_value = re.search(r'name="next"[^>]*value="([^"]*)"', page)
    return page, client.post(
        "/login",
        data={
            "login": login,
            "password": DEFAULT_PASSWORD,
            "csrf_token": csrf_from(page),
            "next": htmlib.unescape(next_value.group(1)) if next_value else "",
        },
    )


def test_answers_sent_after_the_session_ended_wait_through_sign_in(
    app, client, make_user, make_cohort, enrol
):
    cohort_id, _ = make_cohort()
    user = make_user(email="ayesha@example.test")
    enrol(user, cohort_id)
    sign_in_as(client, user)
    quiz_path = f"/cohorts/{cohort_id}/quizzes/day-1"
    form = quiz_form(client, cohort_id, "day-1")
    expire_session(client)
    sent = client.post(quiz_path, data={**form, **DAY1_RIGHT})
    assert sent.status_code == 303
    assert sent.headers["Location"].startswith("/login?next=")
    assert attempts(app) == []
    login_page, signed_in = sign_in_form(client, sent.headers["Location"], "ayesha@example.test")
    assert "Your session had ended, so your answers were not sent yet" in htmlib.unescape(
        login_page
    )
    assert "could not be understood" not in login_page
    assert signed_in.headers["Location"] == quiz_path
    page = client.get(quiz_path).get_data(as_text=True)
    assert "Your answers were kept" in page
    assert f'name="attempt" value="{form["attempt"]}"' in page  # the same one-time form
    assert re.search(r'name="q-strong-password" value="1" checked', page)
    assert 'name="q-save-percent" id="q-save-percent"' in page and 'value="3,000"' in page
    resent = client.post(
        quiz_path,
        data={"csrf_token": csrf_from(page), "attempt": form["attempt"], **DAY1_RIGHT},
    )
    assert resent.status_code == 302 and "/attempts/1" in resent.headers["Location"]
    assert attempts(app) == [(1, "100.00")]
    # the answers are used once: the quiz page is fresh again
    assert "Your answers were kept" not in client.get(quiz_path).get_data(as_text=True)


def test_someone_else_signing_in_on_the_phone_does_not_get_the_answers(
    app, client, make_user, make_cohort, enrol
):
    cohort_id, _ = make_cohort()
    first = make_user(email="first@example.test")
    second = make_user(email="second@example.test")
    enrol(first, cohort_id)
    enrol(second, cohort_id)
    sign_in_as(client, first)
    form = quiz_form(client, cohort_id, "day-1")
    expire_session(client)
    sent = client.post(f"/cohorts/{cohort_id}/quizzes/day-1", data={**form, **DAY1_RIGHT})
    sign_in_form(client, sent.headers["Location"], "second@example.test")
    page = client.get(f"/cohorts/{cohort_id}/quizzes/day-1").get_data(as_text=True)
    assert "Your answers were kept" not in page and "checked" not in page
    assert form["attempt"] not in page
