"""Cohort rules: creating and editing cohorts, join codes, joining, rosters, withdrawal.

Every function takes the acting user and checks permissions itself, so the pages, the
CLI and the API cannot disagree. Services flush and return; callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.audit.services import record
from lms.auth.models import Organisation, User
from lms.clock import now, utcnow_naive
from lms.cohorts import pacing
from lms.cohorts.codes import new_code, normalise_code
from lms.cohorts.events import EnrolmentCreated, EnrolmentWithdrawn
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus, Pacing
from lms.courses.catalogue import get_catalogue
from lms.errors import ServiceError
from lms.events import publish
from lms.extensions import db
from lms.permissions import (
    NotFound,
    can_manage_cohort,
    can_view_cohort_reports,
    ensure,
    ensure_visible,
    require_role,
)


@dataclass(frozen=True)
class CohortData:
    """What a person enters to create or edit a cohort."""

    name: str
    course_slug: str
    start_date: date
    end_date: date | None = None
    timezone: str = "UTC"
    pacing: str = Pacing.SCHEDULED
    capacity: int | None = None
    organisation: Organisation | None = None
    country: str = "PK"
    sponsor_sees_names: bool = False
    instructors: tuple[User, ...] | None = None  # None: leave the cohort's teachers as they are


def _validate(data: CohortData) -> None:
    if not data.name.strip():
        raise ServiceError(_("Please enter a name."), field="name")
    if get_catalogue().get(data.course_slug) is None:
        raise ServiceError(_("There is no such course."), field="course_slug")
    if data.end_date and data.end_date < data.start_date:
        raise ServiceError(_("The end date must be on or after the start date."), field="end_date")
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ServiceError(_("Unknown timezone."), field="timezone") from None
    if data.timezone not in available_timezones() and data.timezone != "UTC":
        raise ServiceError(_("Unknown timezone."), field="timezone")
    if data.pacing not in (Pacing.SCHEDULED, Pacing.SELF):
        raise ServiceError(_("Unknown pacing."), field="pacing")
    if data.capacity is not None and data.capacity < 1:
        raise ServiceError(
            _("Capacity must be at least 1, or empty for no limit."), field="capacity"
        )
    if len(data.country) != 2 or not data.country.isalpha():
        raise ServiceError(_("Use a two-letter country code such as PK or ID."), field="country")


def unique_join_code() -> str:
    while True:
        code = new_code()
        if not db.session.scalar(select(func.count()).where(Cohort.join_code == code)):
            return code


def create_cohort(actor: User, data: CohortData) -> Cohort:
    """Instructors and admins create cohorts; an instructor creating one teaches it."""
    require_role(actor, "instructor", "admin")
    _validate(data)
    cohort = Cohort(
        name=" ".join(data.name.split()),
        course_slug=data.course_slug,
        start_date=data.start_date,
        end_date=data.end_date,
        timezone=data.timezone,
        pacing=data.pacing,
        capacity=data.capacity,
        organisation=data.organisation,
        country=data.country.upper(),
        sponsor_sees_names=data.sponsor_sees_names,
        join_code=unique_join_code(),
    )
    if actor.role == "instructor":
        cohort.instructors.append(actor)
    db.session.add(cohort)
    db.session.flush()
    record("cohort.create", actor, cohort, name=cohort.name, course=cohort.course_slug)
    if data.instructors is not None:
        _set_instructors(actor, cohort, (*data.instructors, *cohort.instructors))
    return cohort


def _set_instructors(actor: User, cohort: Cohort, chosen) -> None:
    """The cohort is taught by exactly `chosen` (instructors only; never nobody when an
    instructor edits, and an instructor cannot remove themself)."""
    wanted = list(dict.fromkeys(chosen))
    if any(user.role != "instructor" for user in wanted):
        raise ServiceError(_("Only instructors can teach a cohort."), field="instructors")
    if actor.role == "instructor" and actor not in wanted:
        raise ServiceError(_("You cannot remove yourself from a cohort."), field="instructors")
    before = {user.id for user in cohort.instructors}
    after = {user.id for user in wanted}
    if before != after:
        cohort.instructors[:] = wanted
        record("cohort.instructors", actor, cohort, before=sorted(before), after=sorted(after))


def update_cohort(actor: User, cohort: Cohort, data: CohortData) -> Cohort:
    ensure_visible(can_manage_cohort(actor, cohort))
    _validate(data)
    if data.course_slug != cohort.course_slug and _enrolled_count(cohort):
        raise ServiceError(
            _("The course cannot change once people have joined."), field="course_slug"
        )
    cohort.name = " ".join(data.name.split())
    cohort.course_slug = data.course_slug
    cohort.start_date, cohort.end_date = data.start_date, data.end_date
    cohort.timezone, cohort.pacing, cohort.capacity = data.timezone, data.pacing, data.capacity
    cohort.organisation, cohort.country = data.organisation, data.country.upper()
    if cohort.sponsor_sees_names != data.sponsor_sees_names:
        record("cohort.sponsor_names", actor, cohort, allowed=data.sponsor_sees_names)
    cohort.sponsor_sees_names = data.sponsor_sees_names
    if data.instructors is not None:
        _set_instructors(actor, cohort, data.instructors)
    record("cohort.update", actor, cohort)
    return cohort


def rotate_code(actor: User, cohort: Cohort) -> str:
    """A new join code; the old one stops working (people already in stay in)."""
    ensure_visible(can_manage_cohort(actor, cohort))
    cohort.join_code = unique_join_code()
    record("cohort.rotate_code", actor, cohort)
    return cohort.join_code


def add_instructor(actor: User, cohort: Cohort, instructor: User) -> None:
    ensure_visible(can_manage_cohort(actor, cohort))
    if instructor.role != "instructor":
        raise ServiceError(_("Only instructors can teach a cohort."), field="login")
    if instructor not in cohort.instructors:
        cohort.instructors.append(instructor)
        record("cohort.add_instructor", actor, cohort, user_id=instructor.id)


def get_cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound()
    return cohort


def managed_cohort(actor: User, cohort_id: int) -> Cohort:
    """The cohort, if `actor` may manage it."""
    cohort = get_cohort(cohort_id)
    ensure_visible(can_manage_cohort(actor, cohort))
    return cohort


def cohorts_for(actor: User) -> list[Cohort]:
    """The cohorts `actor` teaches (all of them for an admin), newest first."""
    query = select(Cohort).order_by(Cohort.start_date.desc(), Cohort.id.desc())
    if actor.role == "admin":
        return list(db.session.scalars(query))
    require_role(actor, "instructor")
    return list(db.session.scalars(query.where(Cohort.instructors.any(User.id == actor.id))))


def sponsored_cohorts(actor: User) -> list[Cohort]:
    require_role(actor, "sponsor", "admin")
    query = select(Cohort).order_by(Cohort.start_date.desc(), Cohort.id.desc())
    if actor.role == "sponsor":
        query = query.where(Cohort.organisation_id == actor.organisation_id)
    return list(db.session.scalars(query))


def visible_cohorts(actor: User) -> list[Cohort]:
    """What a person may list: the cohorts they teach (admins: all), sponsor, or are in."""
    if actor.role in ("admin", "instructor"):
        return cohorts_for(actor)
    if actor.role == "sponsor":
        return sponsored_cohorts(actor)
    return [enrolment.cohort for enrolment in enrolments_of(actor)]


def visible_cohort(actor: User, cohort_id: int) -> Cohort:
    """The cohort if `actor` manages it, sponsors it or is in it; NotFound otherwise."""
    cohort = get_cohort(cohort_id)
    if can_view_cohort_reports(actor, cohort) or is_enrolled(actor, cohort):
        return cohort
    raise NotFound()


def cohort_enrolments(actor: User, cohort: Cohort) -> list[Enrolment]:
    """Every enrolment of the cohort (withdrawn ones too), for those who manage it."""
    ensure(can_manage_cohort(actor, cohort))
    return list(
        db.session.scalars(
            select(Enrolment).where(Enrolment.cohort_id == cohort.id).order_by(Enrolment.id)
        )
    )


def enrolments_of(user: User) -> list[Enrolment]:
    """A trainee's own enrolments (not withdrawn), newest first."""
    return list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
            .order_by(Enrolment.joined_at.desc())
        )
    )


def is_enrolled(user: User, cohort: Cohort) -> bool:
    """True when `user` is in the cohort (active or completed)."""
    return bool(
        db.session.scalar(
            select(func.count()).where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.user_id == user.id,
                Enrolment.status != EnrolmentStatus.WITHDRAWN,
            )
        )
    )


def _enrolled_count(cohort: Cohort) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Enrolment)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
    )


def cohort_by_code(raw: str) -> Cohort | None:
    code = normalise_code(raw)
    if not code:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.join_code == code))


def check_joinable(cohort: Cohort | None) -> Cohort:
    """The cohort if a new trainee may join it now; otherwise a clear ServiceError."""
    if cohort is None:
        raise ServiceError(
            _("We could not find a cohort with this code. Check it and try again."), "code"
        )
    if pacing.has_ended(cohort.end_date, cohort.timezone, now()):
        raise ServiceError(
            _("This cohort has ended. Ask your instructor about the next one."), "code"
        )
    if cohort.capacity is not None and _enrolled_count(cohort) >= cohort.capacity:
        raise ServiceError(
            _("This cohort is full. Ask your instructor about the next one."), "code"
        )
    return cohort


@dataclass(frozen=True)
class JoinResult:
    enrolment: Enrolment
    created: bool


def join(user: User, code: str) -> JoinResult:
    """Enrol `user` in the cohort with this code (idempotent for an existing enrolment)."""
    cohort = cohort_by_code(code)
    if cohort is not None:
        # Serialise joins per cohort so the capacity holds under concurrent joins.
        db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    existing = cohort and db.session.scalar(
        select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id)
    )
    if existing:
        if existing.status == EnrolmentStatus.WITHDRAWN:
            raise ServiceError(
                _("You were withdrawn from this cohort. Please ask your instructor."), "code"
            )
        return JoinResult(existing, created=False)
    check_joinable(cohort)
    return JoinResult(enrol(cohort, user, actor=user), created=True)


def enrol(cohort: Cohort, user: User, actor: User | None) -> Enrolment:
    enrolment = Enrolment(
        cohort=cohort, user=user, status=EnrolmentStatus.ACTIVE, joined_at=utcnow_naive()
    )
    db.session.add(enrolment)
    db.session.flush()
    record("enrolment.create", actor, enrolment, cohort_id=cohort.id, user_id=user.id)
    publish(EnrolmentCreated(enrolment))
    return enrolment


def withdraw(actor: User, enrolment: Enrolment) -> None:
    ensure_visible(can_manage_cohort(actor, enrolment.cohort))
    if enrolment.status != EnrolmentStatus.WITHDRAWN:
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.withdrawn_at = utcnow_naive()
        record(
            "enrolment.withdraw",
            actor,
            enrolment,
            cohort_id=enrolment.cohort_id,
            user_id=enrolment.user_id,
        )
        publish(EnrolmentWithdrawn(enrolment))


def managed_enrolment(actor: User, cohort: Cohort, enrolment_id: int) -> Enrolment:
    ensure_visible(can_manage_cohort(actor, cohort))
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.cohort_id != cohort.id:
        raise NotFound()
    return enrolment
