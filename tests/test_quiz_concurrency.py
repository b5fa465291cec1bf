"""No attempt lost or counted twice under concurrent submissions (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import sign_in_as
from quizhelpers import DAY1_RIGHT, DAY1_WRONG, quiz_form
from werkzeug.datastructures import MultiDict

THREADS = 20


@pytest.fixture
def setup(app, client, make_user, make_cohort, enrol):
    cohort_id, _ = make_cohort()
    trainee = make_user()
    enrol(trainee, cohort_id)
    sign_in_as(client, trainee)
    return cohort_id, trainee


def race(app, trainee, cohort_id, payloads, answers) -> list[str]:
    """Submit every payload at once from its own thread; return each outcome."""
    from lms.auth.models import User
    from lms.cohorts.access import learning_context
    from lms.errors import ServiceError
    from lms.extensions import db
    from lms.quizzes import services

    barrier = threading.Barrier(len(payloads))

    def one(payload: str) -> str:
        with app.app_context():
            user = db.session.get(User, trainee.id)
            context = learning_context(user, cohort_id)
            db.session.rollback()  # end the read: on SQLite it holds the write lock
            barrier.wait()
            try:
                attempt = services.submit(context, "day-1", payload, MultiDict(answers))
                db.session.commit()
                return f"attempt {attempt.number}"
            except ServiceError as error:
                db.session.rollback()
                return error.message
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(payloads)) as pool:
        return list(pool.map(one, payloads))


def count_attempts(app) -> list[int]:
    from lms.extensions import db
    from lms.quizzes.models import QuizAttempt

    with app.app_context():
        return list(db.session.scalars(db.select(QuizAttempt.number).order_by(QuizAttempt.number)))


def test_same_token_from_twenty_threads_gives_one_attempt(app, client, setup):
    cohort_id, trainee = setup
    payload = quiz_form(client, cohort_id, "day-1")["attempt"]
    outcomes = race(
        app,
        trainee,
        cohort_id,
        [payload] * THREADS,
        {k: v for k, v in DAY1_RIGHT.items() if isinstance(v, str)},
    )
    assert outcomes == ["attempt 1"] * THREADS
    assert count_attempts(app) == [1]


def test_twenty_threads_racing_past_a_limit_of_three_give_exactly_three(app, client, setup):
    cohort_id, trainee = setup
    payloads = [quiz_form(client, cohort_id, "day-1")["attempt"] for _ in range(THREADS)]
    outcomes = race(
        app, trainee, cohort_id, payloads, {"q-strong-password": DAY1_WRONG["q-strong-password"]}
    )
    assert sorted(o for o in outcomes if o.startswith("attempt")) == [
        "attempt 1",
        "attempt 2",
        "attempt 3",
    ]
    assert all(
        o
        in (
            "You have no attempts left for this quiz.",
            "Too many submissions at once. Please try again.",
        )
        for o in outcomes
        if not o.startswith("attempt")
    )
    assert count_attempts(app) == [1, 2, 3]
