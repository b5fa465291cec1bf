"""A signed-in trainee's page data in ONE Core query: the user, the cohort, their live
enrolment in it and the lessons they have done (no ORM entities: this is the hot path of
every lesson page, see docs/benchmarks.md "lesson_page").

The cohort's columns come with the row instead of from a cache in the process, so an
edit made through any worker or server is seen on the next request everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, bindparam, func, select

from lms.auth.models import User
from lms.auth.sessions import SignedInUser
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.db import read_one
from lms.progress.models import LessonCompletion


@dataclass(frozen=True)
class CohortRow:
    """What a trainee's pages read of their cohort."""

    id: int
    name: str
    course_slug: str
    start_date: date
    timezone: str
    pacing: str
    organisation_id: int | None


@dataclass(frozen=True)
class EnrolmentRow:
    """A live enrolment as the row read with the user: what the pages and the write path's
    subscribers read (`access.enrolment_entity` loads the ORM entity where one is needed)."""

    id: int
    status: str
    cohort_id: int
    user_id: int


@dataclass(frozen=True)
class TraineeRow:
    user: SignedInUser
    cohort: CohortRow | None  # None: no such cohort
    enrolment: EnrolmentRow | None  # None: not (or no longer) enrolled in it
    done: frozenset[str]  # slugs of the lessons done in this cohort


_users, _cohorts = User.__table__, Cohort.__table__
_enrolments, _done = Enrolment.__table__, LessonCompletion.__table__
_STATEMENT = (
    select(
        _users.c.id,
        _users.c.name,
        _users.c.role,
        _users.c.language,
        _users.c.active,
        _users.c.session_version,
        _users.c.organisation_id,
        _cohorts.c.id,
        _cohorts.c.name,
        _cohorts.c.course_slug,
        _cohorts.c.start_date,
        _cohorts.c.timezone,
        _cohorts.c.pacing,
        _cohorts.c.organisation_id,
        _enrolments.c.id,
        _enrolments.c.status,
        select(func.aggregate_strings(_done.c.lesson_slug, "\n"))
        .where(_done.c.enrolment_id == _enrolments.c.id)
        .scalar_subquery(),
    )
    .select_from(
        _users.outerjoin(_cohorts, _cohorts.c.id == bindparam("cohort_id")).outerjoin(
            _enrolments,
            and_(
                _enrolments.c.cohort_id == _cohorts.c.id,
                _enrolments.c.user_id == _users.c.id,
                _enrolments.c.status != EnrolmentStatus.WITHDRAWN.value,
            ),
        )
    )
    .where(_users.c.id == bindparam("user_id"))
)


def _date(value: date | str) -> date:
    """The driver's value: a date (PostgreSQL) or its ISO text (SQLite)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def trainee_row(user_id: int, cohort_id: int) -> TraineeRow | None:
    """The user with their cohort, enrolment and done lessons; None for an unknown user.
    Whether the user may still be signed in (active, session version) is the caller's."""
    row = read_one(_STATEMENT, {"user_id": user_id, "cohort_id": cohort_id})
    if row is None:
        return None
    user = SignedInUser(*row[0:4], bool(row[4]), *row[5:7])
    cohort = CohortRow(*row[7:10], _date(row[10]), *row[11:14]) if row[7] is not None else None
    enrolment = EnrolmentRow(*row[14:16], row[7], row[0]) if row[14] is not None else None
    done = frozenset(row[16].split("\n")) if row[16] else frozenset()
    return TraineeRow(user=user, cohort=cohort, enrolment=enrolment, done=done)
