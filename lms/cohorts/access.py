"""What a person may see of a cohort's course, which days are open, and their activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, and_, bindparam, func, update

from lms.auth.models import User
from lms.clock import now, utcnow_naive
from lms.cohorts import pacing
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.cohorts.services import get_cohort
from lms.courses.catalogue import get_catalogue
from lms.courses.engine import Course, Day
from lms.extensions import db
from lms.permissions import NotFound, PermissionDenied, can_manage_cohort


@dataclass(frozen=True)
class DayState:
    day: Day
    open: bool
    opens_at: datetime | None


@dataclass(frozen=True)
class LearningContext:
    """A cohort as one person sees it: as its trainee, or as staff previewing it."""

    cohort: Cohort
    course: Course
    # None when staff preview the cohort; on the hot pages the row read with the user
    # (`progress.rows.EnrolmentRow`: id, status, cohort_id, user_id).
    enrolment: Enrolment | None
    days: tuple[DayState, ...]
    # The trainee's completed lesson slugs, when the loader fetched them with the context
    # (None: not loaded; ask lms.progress).
    completed: frozenset[str] | None = None

    def day_state(self, number: int) -> DayState | None:
        return next((state for state in self.days if state.day.number == number), None)


def learning_context(user: User, cohort_id: int) -> LearningContext:
    """The cohort for its own trainee or its managers; NotFound for everyone else."""
    cohort = get_cohort(cohort_id)
    enrolment = db.session.scalar(
        db.select(Enrolment).where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.user_id == user.id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
        )
    )
    return build_context(user, cohort, enrolment)


def enrolment_of(user: User):
    """The join condition for `user`'s live enrolment in a cohort (for one-query loaders)."""
    return and_(
        Enrolment.cohort_id == Cohort.id,
        Enrolment.user_id == user.id,
        Enrolment.status != EnrolmentStatus.WITHDRAWN,
    )


def build_context(
    user: User,
    cohort: Cohort | None,
    enrolment: Enrolment | None,
    completed: frozenset[str] | None = None,
) -> LearningContext:
    """Check access, then the course and which days are open. NotFound without access."""
    if cohort is None:
        raise NotFound()
    if enrolment is None and not can_manage_cohort(user, cohort):
        raise NotFound()
    course = get_catalogue().get(cohort.course_slug)
    if course is None:
        raise NotFound()
    current = now()
    days = tuple(
        DayState(
            day=day,
            open=pacing.is_day_open(
                cohort.start_date, cohort.timezone, cohort.pacing, day.number, current
            ),
            opens_at=pacing.day_opens_at(
                cohort.start_date, cohort.timezone, cohort.pacing, day.number
            ),
        )
        for day in course.days
    )
    return LearningContext(
        cohort=cohort, course=course, enrolment=enrolment, days=days, completed=completed
    )


def open_lesson(context: LearningContext, lesson_slug: str):
    """The lesson if its day is open (staff previewing see every day)."""
    lesson = context.course.lesson(lesson_slug)
    if lesson is None:
        raise NotFound()
    state = context.day_state(lesson.day)
    if context.enrolment is not None and not state.open:
        raise PermissionDenied("day not open yet")
    return lesson


_enrolments = Enrolment.__table__
_TOUCH = (  # built once: this runs on every mark-done and quiz submission
    update(_enrolments)
    .where(_enrolments.c.id == bindparam("enrolment"))
    .values(last_active_at=bindparam("at", type_=DateTime()))
)
_TOUCH_STARTED = _TOUCH.values(
    started_at=func.coalesce(_enrolments.c.started_at, bindparam("at", type_=DateTime()))
)


def enrolment_entity(enrolment: Any) -> Enrolment:
    """The ORM entity of an enrolment given as one (returned as is) or as the row a hot
    page read with the user (`progress.rows.EnrolmentRow`), loaded in the session: for
    the rare writes that change the enrolment itself (completing the course)."""
    if isinstance(enrolment, Enrolment):
        return enrolment
    return db.session.get(Enrolment, enrolment.id)


def touch(enrolment: Enrolment, *, started_at: datetime | None = None) -> None:
    """Remember when the trainee was last active, and with `started_at` when they first did
    what counts as starting (one SQL-side UPDATE: no lost update, the first start kept)."""
    statement = _TOUCH if started_at is None else _TOUCH_STARTED
    db.session.execute(statement, {"enrolment": enrolment.id, "at": started_at or utcnow_naive()})
