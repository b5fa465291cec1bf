"""Keeping the report summaries current: SQL-side increments inside the same transaction.

Subscribed to `LessonCompleted` and `AttemptRecorded`, so they run in the transaction
that records the fact. Updates are increments or
idempotent assignments done in SQL, so concurrent writers neither lose nor double them;
a missing row is inserted under a savepoint, and a racing insert falls back to update.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lms.clock import utcnow_naive
from lms.cohorts.models import Cohort, Enrolment
from lms.courses.catalogue import get_catalogue
from lms.courses.engine import Course, Lesson
from lms.extensions import db
from lms.progress.events import LessonCompleted
from lms.progress.models import LessonCompletion
from lms.quizzes.events import AttemptRecorded
from lms.quizzes.models import AttemptAnswer, QuizAttempt
from lms.reports.models import DayProgress, QuestionStat, QuizResult


def _upsert(model, keys: dict, increments: dict, initial: dict) -> None:
    """UPDATE ... SET col = col + n WHERE keys; INSERT when no row exists yet."""
    conditions = [getattr(model, k) == v for k, v in keys.items()]
    values = {k: getattr(model, k) + v for k, v in increments.items()}
    if db.session.execute(update(model).where(*conditions).values(**values)).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(insert(model).values(**keys, **initial))
    except IntegrityError:  # inserted by a concurrent writer a moment ago
        db.session.execute(update(model).where(*conditions).values(**values))


def _day_finished(enrolment: Enrolment, course: Course, day_number: int) -> None:
    day = course.day(day_number)
    required = sum(1 for lesson in day.lessons if lesson.required)
    quiz_ok = True if day.quiz is None else _passed(enrolment.id, day.quiz.key)
    db.session.execute(
        update(DayProgress)
        .where(DayProgress.enrolment_id == enrolment.id, DayProgress.day == day_number)
        .values(finished=and_(DayProgress.lessons_done >= required, quiz_ok))
    )


def _passed(enrolment_id: int, quiz_key: str):
    return (
        select(QuizResult.passed)
        .where(QuizResult.enrolment_id == enrolment_id, QuizResult.quiz_key == quiz_key)
        .scalar_subquery()
        .is_(True)
    )


def lesson_done(enrolment: Enrolment, course: Course, lesson: Lesson) -> None:
    """A lesson was newly marked done."""
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id, Enrolment.started_at.is_(None))
        .values(started_at=utcnow_naive())
    )
    done = 1 if lesson.required else 0
    keys = {"enrolment_id": enrolment.id, "day": lesson.day}
    _upsert(
        DayProgress,
        keys,
        {"lessons_done": done},
        {"cohort_id": enrolment.cohort_id, "lessons_done": done},
    )
    _day_finished(enrolment, course, lesson.day)


def attempt_stored(enrolment: Enrolment, course: Course, attempt: QuizAttempt) -> None:
    """An attempt was stored: quiz standing, first-attempt question counts, day finished."""
    score = Decimal(attempt.score)
    keys = {"enrolment_id": enrolment.id, "quiz_key": attempt.quiz_key}
    conditions = [QuizResult.enrolment_id == enrolment.id, QuizResult.quiz_key == attempt.quiz_key]
    changes = {
        "attempts": QuizResult.attempts + 1,
        "best": case((QuizResult.best < score, score), else_=QuizResult.best),
        "passed": QuizResult.passed | attempt.passed,
    }
    if not db.session.execute(update(QuizResult).where(*conditions).values(**changes)).rowcount:
        initial = {
            "cohort_id": enrolment.cohort_id,
            "attempts": 1,
            "best": score,
            "first_score": score,
            "passed": attempt.passed,
        }
        try:
            with db.session.begin_nested():
                db.session.execute(insert(QuizResult).values(**keys, **initial))
        except IntegrityError:
            db.session.execute(update(QuizResult).where(*conditions).values(**changes))
    if attempt.number == 1:
        for question_id, points in attempt.results.items():
            _upsert(
                QuestionStat,
                {
                    "cohort_id": enrolment.cohort_id,
                    "quiz_key": attempt.quiz_key,
                    "question_id": question_id,
                },
                {"answers": 1, "points": Decimal(points)},
                {"answers": 1, "points": Decimal(points)},
            )
    if attempt.quiz_key.startswith("day-"):
        day = int(attempt.quiz_key.removeprefix("day-"))
        if course.day(day) is not None:
            keys = {"enrolment_id": enrolment.id, "day": day}
            _upsert(
                DayProgress,
                keys,
                {"lessons_done": 0},
                {"cohort_id": enrolment.cohort_id, "lessons_done": 0},
            )
            _day_finished(enrolment, course, day)


def on_lesson_completed(event: LessonCompleted) -> None:
    lesson_done(event.enrolment, event.course, event.lesson)


def on_attempt_recorded(event: AttemptRecorded) -> None:
    attempt_stored(event.enrolment, event.course, event.attempt)


def rebuild(cohort_id: int, course: Course) -> None:
    """Recompute every summary of a cohort from the raw facts (after an upgrade or repair)."""
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
