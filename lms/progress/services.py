"""Lesson completions, progress summaries and the completion rule.

`evaluate_completion` is the one place that decides whether an enrolment has completed
its course; it runs whenever progress changes (a lesson done here, or a passed attempt,
which it hears of through `AttemptRecorded`). It publishes `LessonCompleted` and
`EnrolmentCompleted`; report summaries and certificates subscribe.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from lms.audit.services import record
from lms.auth.models import User
from lms.clock import utcnow_naive
from lms.cohorts import access
from lms.cohorts.access import LearningContext, touch
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.courses.engine import Course, Lesson
from lms.db import insert_if_absent
from lms.events import publish
from lms.extensions import db
from lms.progress.events import EnrolmentCompleted, LessonCompleted
from lms.progress.models import LessonCompletion
from lms.quizzes.events import AttemptRecorded
from lms.quizzes.models import QuizAttempt

POST_TEST = "post-test"


@dataclass(frozen=True)
class QuizStatus:
    attempts: int
    best: Decimal | None
    passed: bool


@dataclass(frozen=True)
class DayProgress:
    number: int
    lessons_done: int
    lessons_total: int  # required lessons
    quiz: QuizStatus | None  # None when the day has no quiz

    @property
    def finished(self) -> bool:
        quiz_ok = self.quiz is None or self.quiz.passed
        return self.lessons_done >= self.lessons_total and quiz_ok


@dataclass(frozen=True)
class Progress:
    done_lessons: frozenset[str]
    quizzes: dict[str, QuizStatus]
    days: tuple[DayProgress, ...]
    steps_done: int
    steps_total: int


def completed_lessons(enrolment_ids: list[int]) -> dict[int, set[str]]:
    rows = db.session.execute(
        select(LessonCompletion.enrolment_id, LessonCompletion.lesson_slug).where(
            LessonCompletion.enrolment_id.in_(enrolment_ids)
        )
    )
    done: dict[int, set[str]] = defaultdict(set)
    for enrolment_id, slug in rows:
        done[enrolment_id].add(slug)
    return done


def quiz_statuses(enrolment_ids: list[int]) -> dict[int, dict[str, QuizStatus]]:
    """Per enrolment and quiz: attempts, best score, passed. One aggregate query."""
    rows = db.session.execute(
        select(
            QuizAttempt.enrolment_id,
            QuizAttempt.quiz_key,
            func.count(),
            func.max(QuizAttempt.score),
            func.max(db.case((QuizAttempt.passed, 1), else_=0)),
        )
        .where(QuizAttempt.enrolment_id.in_(enrolment_ids))
        .group_by(QuizAttempt.enrolment_id, QuizAttempt.quiz_key)
    )
    statuses: dict[int, dict[str, QuizStatus]] = defaultdict(dict)
    for enrolment_id, key, count, best, passed in rows:
        statuses[enrolment_id][key] = QuizStatus(count, Decimal(best), bool(passed))
    return statuses


def required_lessons(course: Course) -> list[Lesson]:
    if course.completion.lessons == "none":
        return []
    return [lesson for lesson in course.lessons if lesson.required]


def required_quizzes(course: Course) -> list[str]:
    rule = course.completion.quizzes
    if rule == "none":
        return []
    days = [day for day in course.days if day.quiz and (rule == "all" or day.number in rule)]
    return [day.quiz.key for day in days]


def post_test_required(course: Course) -> bool:
    """Taking the post-test is part of completion unless the course says it is optional."""
    return course.post_test is not None and course.completion.post_test == "required"


def summarise(course: Course, done: set[str], quizzes: dict[str, QuizStatus]) -> Progress:
    days = []
    for day in course.days:
        required = [lesson for lesson in day.lessons if lesson.required]
        status = quizzes.get(day.quiz.key, QuizStatus(0, None, False)) if day.quiz else None
        days.append(
            DayProgress(
                number=day.number,
                lessons_done=sum(1 for lesson in required if lesson.slug in done),
                lessons_total=len(required),
                quiz=status,
            )
        )
    needed_lessons = required_lessons(course)
    needed_quizzes = required_quizzes(course)
    steps_done = sum(1 for lesson in needed_lessons if lesson.slug in done)
    steps_done += sum(
        1 for key in needed_quizzes if quizzes.get(key, QuizStatus(0, None, False)).passed
    )
    post_needed = post_test_required(course)
    if post_needed and quizzes.get(POST_TEST, QuizStatus(0, None, False)).attempts > 0:
        steps_done += 1  # taking it is what counts: it measures, it does not gate on a score
    return Progress(
        done_lessons=frozenset(done),
        quizzes=quizzes,
        days=tuple(days),
        steps_done=steps_done,
        steps_total=len(needed_lessons) + len(needed_quizzes) + int(post_needed),
    )


def progress_of(enrolment: Enrolment, course: Course) -> Progress:
    done = completed_lessons([enrolment.id]).get(enrolment.id, set())
    quizzes = quiz_statuses([enrolment.id]).get(enrolment.id, {})
    return summarise(course, done, quizzes)


def meets_completion_rule(course: Course, progress: Progress) -> bool:
    return progress.steps_total > 0 and progress.steps_done >= progress.steps_total


def evaluate_completion(enrolment: Enrolment, course: Course) -> bool:
    """Mark the enrolment completed when the course's rule is met. True if it is completed.

    `enrolment` may be the row a hot page read with the user: the entity is loaded only
    when the course is about to be completed."""
    if enrolment.status == EnrolmentStatus.COMPLETED:
        return True
    if enrolment.status != EnrolmentStatus.ACTIVE:
        return False
    if not meets_completion_rule(course, progress_of(enrolment, course)):
        return False
    enrolment = access.enrolment_entity(enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        return enrolment.status == EnrolmentStatus.COMPLETED
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_at = utcnow_naive()
    record(
        "enrolment.complete",
        None,
        enrolment,
        cohort_id=enrolment.cohort_id,
        user_id=enrolment.user_id,
    )
    db.session.flush()
    publish(EnrolmentCompleted(enrolment, course))
    return True


def on_attempt_recorded(event: AttemptRecorded) -> None:
    """Subscriber: a passed attempt, or any post-test taken, may complete the course (not
    while a required lesson is missing, which the publisher's done lessons may tell)."""
    if not (event.attempt.passed or event.attempt.quiz_key == POST_TEST):
        return
    done = event.done_lessons
    if done is not None and not _all_required_done(event.course, done):
        # The page read its done lessons before this transaction took the enrolment's
        # lock (the activity update): a lesson marked meanwhile is missing from them.
        # Ask again, now that no other write to this enrolment can be under way.
        fresh = completed_lessons([event.enrolment.id]).get(event.enrolment.id, set())
        if not _all_required_done(event.course, frozenset(fresh)):
            return
    evaluate_completion(event.enrolment, event.course)


def mark_lesson_done(
    enrolment: Enrolment,
    course: Course,
    lesson: Lesson,
    done_before: frozenset[str] | None = None,
) -> bool:
    """Record the lesson as done (idempotent); returns True when newly recorded.

    Three statements in the usual case: the completion (an insert that a double tap turns
    into nothing), the day summary (a subscriber's upsert) and the enrolment's activity.
    `done_before`, the lessons done before this one when the caller already has them (the
    trainee's page context), saves asking the database whether the course is now complete
    while required lessons are still missing.
    """
    moment = utcnow_naive()
    created = (
        db.session.scalar(
            insert_if_absent(
                LessonCompletion,
                {"enrolment_id": enrolment.id, "lesson_slug": lesson.slug},
                {"completed_at": moment},
            ).returning(LessonCompletion.id)
        )
        is not None
    )
    if created:
        publish(LessonCompleted(enrolment, course, lesson))
    touch(enrolment, started_at=moment if created else None)
    if done_before is not None and not _all_required_done(course, done_before | {lesson.slug}):
        return created
    evaluate_completion(enrolment, course)
    return created


def _all_required_done(course: Course, done: frozenset[str]) -> bool:
    return all(lesson.slug in done for lesson in required_lessons(course))


def completed_slugs():
    """A scalar subquery, correlated to `Enrolment`: its done lessons' slugs, one per line."""
    return (
        select(func.aggregate_strings(LessonCompletion.lesson_slug, "\n"))
        .where(LessonCompletion.enrolment_id == Enrolment.id)
        .correlate(Enrolment)
        .scalar_subquery()
    )


def trainee_context(user: User, cohort_id: int) -> LearningContext:
    """The page context of `user` in a cohort with their completed lessons, in ONE query
    (the cohort, their enrolment and the slugs); NotFound without access, as
    `access.learning_context`."""
    row = db.session.execute(
        select(Cohort, Enrolment, completed_slugs())
        .outerjoin(Enrolment, access.enrolment_of(user))
        .where(Cohort.id == cohort_id)
        .options(lazyload(Enrolment.cohort), lazyload(Enrolment.user))
    ).first()
    if row is None:
        return access.build_context(user, None, None)
    cohort, enrolment, slugs = row
    done = frozenset(slugs.split("\n")) if slugs else frozenset()
    return access.build_context(user, cohort, enrolment, done if enrolment else None)
