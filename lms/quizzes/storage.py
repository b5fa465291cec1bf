"""Storing an attempt exactly once: the INSERT that numbers it within its limit, its
answer rows, and the record of what was stored.

The hot write path of a quiz submission: statements are built once per process, and the
attempt just stored is returned as a plain record (`RecordedAttempt`), not an ORM entity.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, insert, select, true

from lms.cohorts.models import Enrolment
from lms.courses.engine import Quiz
from lms.db import insert_for, session_dialect
from lms.errors import ServiceError
from lms.extensions import db
from lms.quizzes.models import AttemptAnswer, AttemptGrant, QuizAttempt

NUMBER_RETRIES = 5


def attempt_limit(enrolment: Enrolment, quiz: Quiz) -> int:
    """Attempts allowed (0: unlimited): the quiz's own plus those granted by an instructor."""
    if quiz.attempts == 0:
        return 0
    grants = db.session.scalar(
        select(func.count()).where(
            AttemptGrant.enrolment_id == enrolment.id, AttemptGrant.quiz_key == quiz.key
        )
    )
    return quiz.attempts + grants


def existing(token: str) -> QuizAttempt | None:
    """The attempt stored under a one-time token, if any (a resubmission finds it)."""
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))


@dataclass(frozen=True)
class RecordedAttempt:
    """An attempt just stored, as written: what the page, the API and the `AttemptRecorded`
    subscribers read of it (the columns of `QuizAttempt`)."""

    id: int
    enrolment_id: int
    quiz_key: str
    number: int
    token: str
    language: str
    content_hash: str
    questions: list
    answers: dict
    results: dict
    points: Decimal
    max_points: int
    score: Decimal
    pass_mark: int
    passed: bool
    started_at: datetime | None
    submitted_at: datetime


Attempt = QuizAttempt | RecordedAttempt


def store(enrolment: Enrolment, quiz: Quiz, **fields) -> tuple[Attempt, bool]:
    """Insert with the next free attempt number, within the limit, in one statement.

    Unique constraints settle any race without an error or a savepoint: the INSERT does
    nothing when the token was used (a resubmission) or another submission took the
    number first (PostgreSQL; SQLite writers are serialised), and only then do we look at
    why. The statements are built once per process (this is the hot write path)."""
    dialect = session_dialect()
    params = {
        **fields,
        "enrolment_id": enrolment.id,
        "quiz_key": quiz.key,
        "allowed": quiz.attempts,
    }
    for _try in range(NUMBER_RETRIES):
        row = db.session.execute(_insert_next(dialect, bool(quiz.attempts)), params).first()
        if row is not None:
            attempt = RecordedAttempt(
                id=row.id, enrolment_id=enrolment.id, quiz_key=quiz.key, number=row.number, **fields
            )  # what was inserted, known without a reload or an ORM entity
            db.session.execute(_INSERT_ANSWERS, _answer_rows(attempt))
            return attempt, True
        found = existing(fields["token"])
        if found is not None:
            return found, False
        limit = attempt_limit(enrolment, quiz)
        if limit and _used(enrolment, quiz) >= limit:
            raise ServiceError(_("You have no attempts left for this quiz."))
    raise ServiceError(_("Too many submissions at once. Please try again."))


def _used(enrolment: Enrolment, quiz: Quiz) -> int:
    """The highest attempt number so far."""
    return db.session.scalar(
        select(func.coalesce(func.max(QuizAttempt.number), 0)).where(
            QuizAttempt.enrolment_id == enrolment.id, QuizAttempt.quiz_key == quiz.key
        )
    )


ATTEMPT_FIELDS = (
    "token",
    "language",
    "content_hash",
    "questions",
    "answers",
    "results",
    "points",
    "max_points",
    "score",
    "pass_mark",
    "passed",
    "started_at",
    "submitted_at",
)
_INSERT_ANSWERS = insert(AttemptAnswer.__table__)


@functools.cache
def _insert_next(dialect: str, limited: bool):
    """INSERT ... SELECT the attempt numbered max + 1; nothing when that passes the limit
    (`allowed` attempts plus granted ones) or a unique key (token, number) is taken.
    RETURNING its id and number. Parameters: the enrolment, quiz and `ATTEMPT_FIELDS`."""
    table = QuizAttempt.__table__
    enrolment = bindparam("enrolment_id", type_=table.c.enrolment_id.type)
    quiz = bindparam("quiz_key", type_=table.c.quiz_key.type)
    used = (
        select(func.coalesce(func.max(table.c.number), 0))
        .where(table.c.enrolment_id == enrolment, table.c.quiz_key == quiz)
        .scalar_subquery()
    )
    columns = [
        enrolment.label("enrolment_id"),
        quiz.label("quiz_key"),
        *(bindparam(name, type_=table.c[name].type).label(name) for name in ATTEMPT_FIELDS),
        (used + 1).label("number"),
    ]
    source = select(*columns).subquery("next_attempt")
    allowed = true()  # a WHERE is needed anyway: SQLite's INSERT ... SELECT ... ON CONFLICT
    if limited:
        grants = (
            select(func.count())
            .where(
                AttemptGrant.__table__.c.enrolment_id == enrolment,
                AttemptGrant.__table__.c.quiz_key == quiz,
            )
            .scalar_subquery()
        )
        allowed = source.c.number <= bindparam("allowed") + grants
    names = ["enrolment_id", "quiz_key", *ATTEMPT_FIELDS, "number"]
    return (
        insert_for(dialect)(table)
        .from_select(names, select(*(source.c[name] for name in names)).where(allowed))
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.number)
    )


def _answer_rows(attempt: RecordedAttempt) -> list[dict]:
    """One row per question, so reports can aggregate questions in SQL."""
    return [
        {
            "attempt_id": attempt.id,
            "enrolment_id": attempt.enrolment_id,
            "quiz_key": attempt.quiz_key,
            "question_id": question_id,
            "first_attempt": attempt.number == 1,
            "points": Decimal(points),
        }
        for question_id, points in attempt.results.items()
    ]
