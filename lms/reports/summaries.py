"""Keeping the report summaries current: SQL-side increments inside the same transaction.

Subscribed to `LessonCompleted` and `AttemptRecorded`, so they run in the transaction
that records the fact. Updates are increments or
idempotent assignments done in SQL, so concurrent writers neither lose nor double them;
a lesson's day row is one upsert (INSERT ... ON CONFLICT DO UPDATE); elsewhere a missing
row is inserted under a savepoint, and a racing insert falls back to update.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Integer,
    and_,
    bindparam,
    case,
    func,
    insert,
    select,
    text,
    true,
    update,
)

from lms.cohorts.models import Cohort, Enrolment
from lms.courses.catalogue import get_catalogue
from lms.courses.engine import Course, Lesson
from lms.db import insert_for, session_dialect
from lms.extensions import db
from lms.progress.events import LessonCompleted
from lms.progress.models import LessonCompletion
from lms.quizzes.events import AttemptRecorded
from lms.quizzes.models import AttemptAnswer, QuizAttempt
from lms.reports import counting
from lms.reports.models import DayProgress, QuestionStat, QuizResult


def lesson_done(enrolment: Enrolment, course: Course, lesson: Lesson) -> None:
    """A lesson was newly marked done: one upsert of the day's row, finished included."""
    _day_row(enrolment, course.day(lesson.day), done=1 if lesson.required else 0)


def attempt_stored(enrolment: Enrolment, course: Course, attempt: QuizAttempt) -> None:
    """An attempt was stored: quiz standing, first-attempt question counts, day finished.

    At most three statements, each an upsert: the quiz result, every question's counts in
    one multi-row statement, and the day's row. The statements are built once per
    dialect (and question count): this is the hot write path."""
    dialect = session_dialect()
    score = Decimal(attempt.score)
    db.session.execute(
        _quiz_result_upsert(dialect),
        {
            "enrolment_id": enrolment.id,
            "quiz_key": attempt.quiz_key,
            "cohort_id": enrolment.cohort_id,
            "score": score,
            "passed": bool(attempt.passed),
        },
    )
    if attempt.number == 1 and attempt.results:
        values = {"cohort_id": enrolment.cohort_id, "quiz_key": attempt.quiz_key}
        for n, (question_id, points) in enumerate(attempt.results.items()):
            values[f"question_{n}"] = question_id
            values[f"points_{n}"] = Decimal(points)
        db.session.execute(_question_stats_upsert(dialect, len(attempt.results)), values)
    if attempt.quiz_key.startswith("day-"):
        day = course.day(int(attempt.quiz_key.removeprefix("day-")))
        if day is not None:
            _day_row(enrolment, day, done=0, quiz_passed_now=attempt.passed)


def _day_row(enrolment: Enrolment, day, *, done: int, quiz_passed_now: bool = False) -> None:
    """Upsert the day's row: `done` more required lessons, and whether it is now finished.

    The day's quiz counts as passed when its summary says so, or when the attempt being
    recorded passed (the quiz result row above may be this statement's neighbour)."""
    passed = day.quiz is None or quiz_passed_now
    db.session.execute(
        _day_upsert(session_dialect(), passed),
        {
            "enrolment_id": enrolment.id,
            "day": day.number,
            "cohort_id": enrolment.cohort_id,
            "done": done,
            "required": sum(1 for item in day.lessons if item.required),
            "quiz_key": None if passed else day.quiz.key,
        },
    )


_results, _stats, _days = QuizResult.__table__, QuestionStat.__table__, DayProgress.__table__


@functools.cache
def _quiz_result_upsert(dialect: str):
    """The quiz result: one more attempt, the best score, passed once passed."""
    score = bindparam("score", type_=_results.c.best.type)
    passed = bindparam("passed", type_=Boolean())
    statement = insert_for(dialect)(_results).values(
        enrolment_id=bindparam("enrolment_id"),
        quiz_key=bindparam("quiz_key"),
        cohort_id=bindparam("cohort_id"),
        attempts=1,
        best=score,
        first_score=score,
        passed=passed,
    )
    return statement.on_conflict_do_update(
        index_elements=["enrolment_id", "quiz_key"],
        set_={
            "attempts": _results.c.attempts + 1,
            "best": case((_results.c.best < score, score), else_=_results.c.best),
            "passed": _results.c.passed | passed,
        },
    )


@functools.cache
def _question_stats_upsert(dialect: str, questions: int):
    """First-attempt answers and points of `questions` questions, one multi-row upsert
    (parameters `question_<n>`, `points_<n>`)."""
    points_type = _stats.c.points.type
    rows = [
        {
            "cohort_id": bindparam("cohort_id"),
            "quiz_key": bindparam("quiz_key"),
            "question_id": bindparam(f"question_{n}"),
            "answers": 1,
            "points": bindparam(f"points_{n}", type_=points_type),
        }
        for n in range(questions)
    ]
    statement = insert_for(dialect)(_stats).values(rows)
    return statement.on_conflict_do_update(
        index_elements=["cohort_id", "quiz_key", "question_id"],
        set_={
            "answers": _stats.c.answers + statement.excluded.answers,
            "points": _stats.c.points + statement.excluded.points,
        },
    )


@functools.cache
def _day_upsert(dialect: str, quiz_passed: bool):
    """The day's row: `done` more required lessons of `required`; finished when they are
    all done and the day's quiz passed (known: `quiz_passed`; else its result row says,
    parameter `quiz_key`)."""
    done = bindparam("done", type_=Integer())
    required = bindparam("required", type_=Integer())
    quiz_ok = true()
    if not quiz_passed:
        quiz_ok = (
            select(_results.c.passed)
            .where(
                _results.c.enrolment_id == bindparam("enrolment_id"),
                _results.c.quiz_key == bindparam("quiz_key"),
            )
            .scalar_subquery()
            .is_(True)
        )
    statement = insert_for(dialect)(_days).values(
        enrolment_id=bindparam("enrolment_id"),
        day=bindparam("day"),
        cohort_id=bindparam("cohort_id"),
        lessons_done=done,
        finished=and_(done >= required, quiz_ok),
    )
    return statement.on_conflict_do_update(
        index_elements=["enrolment_id", "day"],
        set_={
            "lessons_done": _days.c.lessons_done + done,
            "finished": and_(_days.c.lessons_done + done >= required, quiz_ok),
        },
    )


def on_lesson_completed(event: LessonCompleted) -> None:
    lesson_done(event.enrolment, event.course, event.lesson)


def on_attempt_recorded(event: AttemptRecorded) -> None:
    attempt_stored(event.enrolment, event.course, event.attempt)


def rebuild(cohort_id: int, course: Course) -> None:
    """Recompute every summary of a cohort from the raw facts (after an upgrade or repair),
    then its report counters from those (`reports.counting`)."""
    _pause_counting(True)
    _rebuild_summaries(cohort_id, course)
    rebuild_counts(cohort_id)
    _pause_counting(False)


def rebuild_counts(cohort_id: int) -> None:
    """Recompute a cohort's report counters and completion days from scratch."""
    dialect = session_dialect()
    for statement in counting.rebuild_statements(dialect, f"cohort_id = {int(cohort_id)}"):
        db.session.execute(text(statement))


def _pause_counting(paused: bool) -> None:
    """Skip the counter triggers while a rebuild recomputes the counters anyway: on
    PostgreSQL a setting local to the transaction; on SQLite, whose DDL is transactional
    and whose writer holds the database, the triggers are dropped and created again in
    the same transaction (no other writer can see them missing)."""
    dialect = session_dialect()
    if dialect == "postgresql":
        db.session.execute(select(func.set_config(counting.PAUSE, "on" if paused else "off", True)))
        return
    statements = counting.drop_triggers(dialect) if paused else counting.create_triggers(dialect)
    for statement in statements:
        db.session.execute(text(statement))


def _rebuild_summaries(cohort_id: int, course: Course) -> None:
    enrolment_ids = select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)
    for model in (DayProgress, QuizResult):
        db.session.execute(model.__table__.delete().where(model.enrolment_id.in_(enrolment_ids)))
    db.session.execute(QuestionStat.__table__.delete().where(QuestionStat.cohort_id == cohort_id))
    first_completion = (
        select(func.min(LessonCompletion.completed_at))
        .where(LessonCompletion.enrolment_id == Enrolment.id)
        .scalar_subquery()
    )
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.cohort_id == cohort_id)
        .values(started_at=first_completion)
    )
    first = QuizAttempt.__table__.alias("first")
    db.session.execute(
        insert(QuizResult).from_select(
            ["enrolment_id", "cohort_id", "quiz_key", "attempts", "best", "first_score", "passed"],
            select(
                QuizAttempt.enrolment_id,
                Enrolment.cohort_id,
                QuizAttempt.quiz_key,
                func.count(),
                func.max(QuizAttempt.score),
                select(first.c.score)
                .where(
                    first.c.enrolment_id == QuizAttempt.enrolment_id,
                    first.c.quiz_key == QuizAttempt.quiz_key,
                    first.c.number == 1,
                )
                .scalar_subquery(),
                func.max(case((QuizAttempt.passed, 1), else_=0)) == 1,
            )
            .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
            .where(Enrolment.cohort_id == cohort_id)
            .group_by(QuizAttempt.enrolment_id, Enrolment.cohort_id, QuizAttempt.quiz_key),
        )
    )
    db.session.execute(
        insert(QuestionStat).from_select(
            ["cohort_id", "quiz_key", "question_id", "answers", "points"],
            select(
                Enrolment.cohort_id,
                AttemptAnswer.quiz_key,
                AttemptAnswer.question_id,
                func.count(),
                func.sum(AttemptAnswer.points),
            )
            .join(Enrolment, Enrolment.id == AttemptAnswer.enrolment_id)
            .where(Enrolment.cohort_id == cohort_id, AttemptAnswer.first_attempt.is_(True))
            .group_by(Enrolment.cohort_id, AttemptAnswer.quiz_key, AttemptAnswer.question_id),
        )
    )
    slugs = {lesson.slug: lesson for lesson in course.lessons}
    day_of = case(
        *((LessonCompletion.lesson_slug == slug, item.day) for slug, item in slugs.items()), else_=0
    )
    required = case(
        *(
            (LessonCompletion.lesson_slug == slug, 1)
            for slug, item in slugs.items()
            if item.required
        ),
        else_=0,
    )
    db.session.execute(
        insert(DayProgress).from_select(
            ["enrolment_id", "cohort_id", "day", "lessons_done", "finished"],
            select(
                LessonCompletion.enrolment_id,
                Enrolment.cohort_id,
                day_of,
                func.sum(required),
                False,
            )
            .join(Enrolment, Enrolment.id == LessonCompletion.enrolment_id)
            .where(Enrolment.cohort_id == cohort_id, LessonCompletion.lesson_slug.in_(list(slugs)))
            .group_by(LessonCompletion.enrolment_id, Enrolment.cohort_id, day_of),
        )
    )
    for day in course.days:
        if day.quiz is None:
            continue
        has_row = select(DayProgress.id).where(
            DayProgress.enrolment_id == QuizResult.enrolment_id, DayProgress.day == day.number
        )
        db.session.execute(
            insert(DayProgress).from_select(
                ["enrolment_id", "cohort_id", "day", "lessons_done", "finished"],
                select(QuizResult.enrolment_id, QuizResult.cohort_id, day.number, 0, False).where(
                    QuizResult.cohort_id == cohort_id,
                    QuizResult.quiz_key == day.quiz.key,
                    ~has_row.exists(),
                ),
            )
        )
    for day in course.days:
        need = sum(1 for lesson in day.lessons if lesson.required)
        quiz_ok = True
        if day.quiz is not None:
            quiz_ok = (
                select(QuizResult.id)
                .where(
                    QuizResult.enrolment_id == DayProgress.enrolment_id,
                    QuizResult.quiz_key == day.quiz.key,
                    QuizResult.passed.is_(True),
                )
                .exists()
            )
        db.session.execute(
            update(DayProgress)
            .where(DayProgress.cohort_id == cohort_id, DayProgress.day == day.number)
            .values(finished=and_(DayProgress.lessons_done >= need, quiz_ok))
        )


def rebuild_missing() -> list[int]:
    """Rebuild the summaries of cohorts that have raw progress but no summary rows
    (a database upgraded from before summaries existed). Returns the cohorts rebuilt."""
    rebuilt = []
    for cohort in db.session.scalars(select(Cohort)):
        course = get_catalogue().get(cohort.course_slug)
        enrolments = select(Enrolment.id).where(Enrolment.cohort_id == cohort.id)
        has_raw = db.session.scalar(
            select(func.count())
            .select_from(LessonCompletion)
            .where(LessonCompletion.enrolment_id.in_(enrolments))
        ) or db.session.scalar(
            select(func.count())
            .select_from(QuizAttempt)
            .where(QuizAttempt.enrolment_id.in_(enrolments))
        )
        has_summary = db.session.scalar(
            select(func.count()).select_from(DayProgress).where(DayProgress.cohort_id == cohort.id)
        ) or db.session.scalar(
            select(func.count()).select_from(QuizResult).where(QuizResult.cohort_id == cohort.id)
        )
        if course is not None and has_raw and not has_summary:
            rebuild(cohort.id, course)
            rebuilt.append(cohort.id)
    return rebuilt
