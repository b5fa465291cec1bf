"""SQL statements per request on a signed-in trainee's path (issue 20's budgets).

Counted on the real database at the DBAPI cursor, BEGIN/COMMIT/ROLLBACK/SAVEPOINT left
out. These are counts, not timings: the speed budgets live in bench/.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from conftest import csrf_from, sign_in_as
from sqlalchemy import event

NOT_COUNTED = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I)


@contextmanager
def counted(app, everything: bool = False):
    from lms.extensions import db

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if everything or not NOT_COUNTED.match(statement):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def trainee_in_cohort(app, client, make_user, make_cohort, enrol):
    trainee = make_user("trainee")
    cohort_id, _code = make_cohort()
    enrol(trainee, cohort_id)
    sign_in_as(client, trainee)
    # A first visit warms the caches (course, cohort) as any earlier request would have.
    assert client.get(f"/cohorts/{cohort_id}/").status_code == 200
    return cohort_id


def _first_lesson(app):
    from lms.courses.catalogue import get_catalogue

    with app.app_context():
        return get_catalogue().get("online-safety-basics").days[0].lessons[0].slug


def test_signed_in_lesson_page_runs_one_statement(app, client, trainee_in_cohort):
    """The budget is 2; the page reads the user, the cohort, the enrolment and the done
    lessons in one query (lms.progress.rows), with no BEGIN/ROLLBACK around it."""
    lesson = _first_lesson(app)
    url = f"/cohorts/{trainee_in_cohort}/lessons/{lesson}"
    client.get(url)
    with counted(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert len(statements) <= 1, "\n".join(statements)


def test_the_lesson_page_query_is_seen_by_the_engine_and_runs_alone(app, client, trainee_in_cohort):
    """The one query passes the engine's events (so it is counted at all: none would mean
    the count above missed it), with no BEGIN emitted around it."""
    url = f"/cohorts/{trainee_in_cohort}/lessons/{_first_lesson(app)}"
    client.get(url)
    with counted(app, everything=True) as statements:
        assert client.get(url).status_code == 200
    kinds = [statement.split(None, 1)[0].upper() for statement in statements]
    assert kinds == ["SELECT"], "\n".join(statements)


def test_marking_a_lesson_done_writes_in_three_statements(app, client, trainee_in_cohort):
    """The write is three statements (completion, day summary, activity); the request adds
    only the one read every signed-in trainee page makes (the user with the cohort,
    enrolment and done lessons), made before the write transaction begins."""
    lesson = _first_lesson(app)
    url = f"/cohorts/{trainee_in_cohort}/lessons/{lesson}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    with counted(app) as statements:
        response = client.post(f"{url}/done", data={"csrf_token": token})
    assert response.status_code == 302
    writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert len(writes) <= 3, "\n".join(writes)
    assert len(statements) <= 4, "\n".join(statements)
    assert statements[0].lstrip().upper().startswith("SELECT")  # read before the writes


def test_a_double_tap_records_the_lesson_once(app, client, trainee_in_cohort):
    from lms.extensions import db
    from lms.progress.models import LessonCompletion
    from lms.reports.models import DayProgress

    lesson = _first_lesson(app)
    url = f"/cohorts/{trainee_in_cohort}/lessons/{lesson}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    for _ in range(2):
        assert client.post(f"{url}/done", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.query(LessonCompletion).count() == 1
        assert db.session.scalar(db.select(DayProgress.lessons_done)) == 1


def test_a_quiz_submission_runs_nine_statements(app, client, trainee_in_cohort):
    """The attempt with its number and limit (one INSERT ... SELECT), its answers (one
    multi-row INSERT), the activity, the three summary upserts; the reads are the user
    with the page's context (cohort, enrolment, done lessons; one query, before the write
    transaction) and the webhooks to notify. A pass while lessons are missing asks once
    more which lessons are done, after the write has locked the enrolment (one read before
    the transaction could miss a lesson marked meanwhile: tests/test_completion_race.py),
    not the whole completion rule; the redirect does not reload the attempt."""
    from quizhelpers import DAY2_RIGHT, quiz_form

    url = f"/cohorts/{trainee_in_cohort}/quizzes/day-2"
    form = quiz_form(client, trainee_in_cohort, "day-2")
    with counted(app) as statements:
        response = client.post(url, data={**form, **DAY2_RIGHT})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/quizzes/day-2/attempts/1")
    writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert len(writes) <= 6, "\n".join(writes)
    assert len(statements) <= 9, "\n".join(statements)
    with counted(app) as again:  # the same page sent twice: the first attempt, nothing new
        response = client.post(url, data={**form, **DAY2_RIGHT})
    assert response.headers["Location"].endswith("/quizzes/day-2/attempts/1")
    assert len(again) <= 3, "\n".join(again)  # user+context, the INSERT that did nothing, lookup
    from lms.extensions import db
    from lms.quizzes.models import QuizAttempt

    with app.app_context():
        assert db.session.query(QuizAttempt).count() == 1
