"""The nudge rules: what is due for one enrolment now. Pure over what it is given (the
enrolment's cohort and course, its progress, its certificate, the time), so each rule is
tested without a queue.

Rules (ids are the contract's): `day_open` (a scheduled day opened today, not finished),
`not_started` (the cohort started N days ago, default 1, and no lesson done), `away`
(started, not finished, no activity for N days, default AT_RISK_DAYS), `one_quiz_left`
(everything required is done but one quiz), `certificate_ready` (a valid certificate,
issued in the last 7 days).
Each `Due` has a `key` naming what it is about, so one thing is nudged once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from lms.cohorts import pacing
from lms.cohorts.models import Cohort, Enrolment
from lms.courses.engine import Course
from lms.progress.services import (
    POST_TEST,
    Progress,
    post_test_required,
    required_lessons,
    required_quizzes,
)

RULES = ("day_open", "not_started", "away", "one_quiz_left", "certificate_ready")


@dataclass(frozen=True)
class Due:
    rule: str
    key: str
    endpoint: str  # the exact page the message links to
    values: dict = field(default_factory=dict)  # its URL's arguments
    placeholders: dict = field(default_factory=dict)  # for the message text


def local_today(cohort: Cohort, now: datetime) -> date:
    return now.astimezone(ZoneInfo(cohort.timezone)).date()


def in_window(cohort: Cohort, now: datetime) -> bool:
    """Between the cohort's message hours (09:00-21:00 unless configured), local time."""
    hour = now.astimezone(ZoneInfo(cohort.timezone)).hour
    return cohort.messages_from_hour <= hour < cohort.messages_until_hour


def _first_unfinished_lesson(course: Course, progress: Progress, day_number: int | None = None):
    for day in course.days:
        if day_number is not None and day.number != day_number:
            continue
        for lesson in day.lessons:
            if lesson.slug not in progress.done_lessons:
                return lesson
    return None


def due_for(
    enrolment: Enrolment,
    course: Course,
    progress: Progress,
    now: datetime,
    *,
    certificate_code: str | None,
    away_days: int,
) -> list[Due]:
    cohort, language = enrolment.cohort, enrolment.user.language
    today = local_today(cohort, now)
    common = {"name": enrolment.user.name.split(" ")[0], "course": course.title(language)}
    found: list[Due] = []
    if certificate_code and course.nudge("certificate_ready").enabled:
        found.append(
            Due("certificate_ready", certificate_code, "certificates.download",
                {"cohort_id": cohort.id}, common)
        )  # fmt: skip
    running = cohort.start_date <= today and not pacing.has_ended(
        cohort.end_date, cohort.timezone, now
    )
    if enrolment.status != "active" or not running:
        return found
    found += _day_open(enrolment, course, progress, now, today, common)
    rule = course.nudge("not_started")
    joined = enrolment.joined_at.replace(tzinfo=UTC)
    since = max(datetime.combine(cohort.start_date, datetime.min.time(), UTC), joined)
    if (
        rule.enabled
        and enrolment.started_at is None
        and now - since >= timedelta(days=rule.days or 1)
    ):
        first = _first_unfinished_lesson(course, progress)
        if first:
            found.append(
                Due("not_started", "", "learning.lesson",
                    {"cohort_id": cohort.id, "lesson_slug": first.slug}, common)
            )  # fmt: skip
    rule = course.nudge("away")
    days = rule.days or away_days
    last = enrolment.last_active_at
    if (
        rule.enabled
        and enrolment.started_at is not None
        and last is not None
        and now - last.replace(tzinfo=UTC) >= timedelta(days=days)
        and progress.steps_done < progress.steps_total
    ):
        found.append(
            Due("away", last.date().isoformat(), "learning.resume", {"cohort_id": cohort.id},
                {**common, "days": (now - last.replace(tzinfo=UTC)).days})
        )  # fmt: skip
    left = _one_quiz_left(course, progress)
    if left and course.nudge("one_quiz_left").enabled:
        quiz = course.post_test if left == POST_TEST else course.quiz(left)
        title = quiz.in_language(language).title if quiz else left
        found.append(
            Due("one_quiz_left", left, "learning.quiz", {"cohort_id": cohort.id, "quiz_key": left},
                {**common, "quiz": title})
        )  # fmt: skip
    return found


def _day_open(enrolment, course, progress, now, today, common) -> list[Due]:
    cohort = enrolment.cohort
    if not course.nudge("day_open").enabled or cohort.pacing != "scheduled":
        return []
    zone = ZoneInfo(cohort.timezone)
    for day, state in zip(course.days, progress.days, strict=True):
        opens = pacing.day_opens_at(cohort.start_date, cohort.timezone, cohort.pacing, day.number)
        if opens is None or opens > now or opens.astimezone(zone).date() != today:
            continue
        lesson = _first_unfinished_lesson(course, progress, day.number)
        if state.finished or lesson is None:
            continue
        return [
            Due("day_open", f"day-{day.number}", "learning.lesson",
                {"cohort_id": cohort.id, "lesson_slug": lesson.slug},
                {**common, "day": day.number})
        ]  # fmt: skip
    return []


def _one_quiz_left(course: Course, progress: Progress) -> str | None:
    if progress.steps_total - progress.steps_done != 1:
        return None
    if any(lesson.slug not in progress.done_lessons for lesson in required_lessons(course)):
        return None
    missing = [
        key
        for key in required_quizzes(course)
        if not (s := progress.quizzes.get(key)) or not s.passed
    ]
    taken = progress.quizzes.get(POST_TEST)
    if post_test_required(course) and not (taken and taken.attempts):
        missing.append(POST_TEST)  # taking it is the step (it measures, it does not gate)
    return missing[0] if len(missing) == 1 else None
