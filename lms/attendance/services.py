"""Attendance rules: a cohort's sessions, rotating check-in codes, checking in, marking.

A session's check-in code is six characters of the join-code alphabet, derived from the
session's secret and the current time step (`CHECKIN_CODE_SECONDS`, default 120): it
changes every step, and the code of the step before still works, so a code read out a
moment before it changed is not refused. A code works only while its session runs
(start <= now < end), and only for a trainee enrolled (not withdrawn) in its cohort;
anyone else gets the same refusal, so codes cannot be probed. A trainee counts once per
session (a unique row). Instructors and admins of the cohort create sessions and mark
attendance by hand. Every function checks permissions first; services flush, callers commit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.attendance.events import AttendanceCleared, AttendanceMarked
from lms.attendance.models import Attendance, AttendanceMethod, ClassSession
from lms.audit.services import record
from lms.auth.models import User
from lms.clock import now, utcnow_naive
from lms.cohorts.access import touch
from lms.cohorts.codes import ALPHABET, normalise_code
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.errors import ServiceError
from lms.events import publish
from lms.extensions import db
from lms.permissions import NotFound, can_manage_cohort, ensure

CODE_LENGTH = 6
MAX_PLACE = 200


@dataclass(frozen=True)
class SessionData:
    """What an instructor enters for a session: the local date, start and end, the place."""

    day: date
    start: time
    end: time
    place: str


def _step_seconds() -> int:
    return max(10, int(current_app.config.get("CHECKIN_CODE_SECONDS", 120)))


def _zone(cohort: Cohort) -> ZoneInfo:
    return ZoneInfo(cohort.timezone or "UTC")


def _to_utc(cohort: Cohort, day: date, at: time) -> datetime:
    local = datetime.combine(day, at, tzinfo=_zone(cohort))
    return local.astimezone(UTC).replace(tzinfo=None)


def local_time(session: ClassSession, moment: datetime) -> datetime:
    """A stored (naive UTC) time of `session` in its cohort's timezone."""
    return moment.replace(tzinfo=UTC).astimezone(_zone(session.cohort))


def sessions_of(actor: User, cohort: Cohort) -> list[ClassSession]:
    """The cohort's sessions, earliest first: for its instructors and admins."""
    ensure(can_manage_cohort(actor, cohort))
    return list(
        db.session.scalars(
            select(ClassSession)
            .where(ClassSession.cohort_id == cohort.id)
            .order_by(ClassSession.starts_at, ClassSession.id)
        )
    )


def managed_session(actor: User, cohort: Cohort, session_id: int) -> ClassSession:
    ensure(can_manage_cohort(actor, cohort))
    session = db.session.get(ClassSession, session_id)
    if session is None or session.cohort_id != cohort.id:
        raise NotFound()
    return session


def create_session(actor: User, cohort: Cohort, data: SessionData) -> ClassSession:
    ensure(can_manage_cohort(actor, cohort))
    place = " ".join((data.place or "").split())
    if not place:
        raise ServiceError(_("Please say where the session takes place."), field="place")
    if len(place) > MAX_PLACE:
        raise ServiceError(_("The place is too long."), field="place")
    if data.end <= data.start:
        raise ServiceError(_("The session must end after it starts."), field="end")
    session = ClassSession(
        cohort_id=cohort.id,
        starts_at=_to_utc(cohort, data.day, data.start),
        ends_at=_to_utc(cohort, data.day, data.end),
        place=place,
        secret=secrets.token_hex(16),
    )
    db.session.add(session)
    db.session.flush()
    record("session.create", actor, cohort, session=session.id, starts=str(session.starts_at))
    return session


def delete_session(actor: User, session: ClassSession) -> None:
    """Remove a session (and the attendance taken at it)."""
    ensure(can_manage_cohort(actor, session.cohort))
    record("session.delete", actor, session.cohort, session=session.id)
    db.session.delete(session)
    db.session.flush()


# -- codes ----------------------------------------------------------------------------------


def _step(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp()) // _step_seconds()


def code_at(session: ClassSession, step: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"checkin:{session.secret}:{step}".encode(), hashlib.sha256).digest()
    return "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[:CODE_LENGTH])


def is_running(session: ClassSession, moment: datetime | None = None) -> bool:
    at = (moment or now()).astimezone(UTC).replace(tzinfo=None)
    return session.starts_at <= at < session.ends_at


@dataclass(frozen=True)
class ShownCode:
    code: str
    seconds_left: int  # until the next code replaces it on the screen


def current_code(actor: User, session: ClassSession) -> ShownCode | None:
    """The code to show now, or None when the session is not running."""
    ensure(can_manage_cohort(actor, session.cohort))
    moment = now()
    if not is_running(session, moment):
        return None
    step = _step(moment)
    left = (step + 1) * _step_seconds() - int(moment.astimezone(UTC).timestamp())
    return ShownCode(code_at(session, step), max(1, left))


class CodeRefused(ServiceError):
    """The code is unknown, expired, outside its session, or not for this person."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This check-in code is not valid now. "
                "Check the code shown in the room and try again."
            )
        )


def _running_sessions(moment: datetime) -> list[ClassSession]:
    at = moment.astimezone(UTC).replace(tzinfo=None)
    return list(
        db.session.scalars(
            select(ClassSession).where(ClassSession.starts_at <= at, ClassSession.ends_at > at)
        )
    )


def _active_enrolment(user: User, cohort_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.user_id == user.id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
        )
    )


@dataclass(frozen=True)
class CheckIn:
    session: ClassSession
    enrolment: Enrolment
    already: bool  # checked in before (or marked by the instructor)


def find_check_in(user: User, raw_code: str) -> CheckIn:
    """The session this person may check in to with `raw_code` now; CodeRefused otherwise.

    Reads only (the page that asks "check in?" uses it)."""
    if not user or not user.is_authenticated:
        raise CodeRefused()
    code = normalise_code(raw_code)
    if len(code) != CODE_LENGTH:
        raise CodeRefused()
    moment = now()
    step = _step(moment)
    for session in _running_sessions(moment):
        if not any(hmac.compare_digest(code, code_at(session, s)) for s in (step, step - 1)):
            continue
        enrolment = _active_enrolment(user, session.cohort_id)
        if enrolment is not None:
            already = db.session.scalar(
                select(func.count()).where(
                    Attendance.session_id == session.id,
                    Attendance.enrolment_id == enrolment.id,
                )
            )
            return CheckIn(session, enrolment, bool(already))
    raise CodeRefused()


def _add(session: ClassSession, enrolment: Enrolment, method: str, by: User | None) -> bool:
    """Record the attendance unless it is there already; True when a row was added."""
    try:
        with db.session.begin_nested():
            db.session.add(
                Attendance(
                    session_id=session.id,
                    enrolment_id=enrolment.id,
                    method=method,
                    marked_by_id=by.id if by is not None else None,
                    marked_at=utcnow_naive(),
                )
            )
    except IntegrityError:  # a racing request recorded it first
        return False
    publish(AttendanceMarked(session.id, enrolment.id, method))
    return True


def check_in(user: User, raw_code: str) -> CheckIn:
    """Check the signed-in trainee in to the running session whose code this is (once)."""
    found = find_check_in(user, raw_code)
    if found.already:
        return found
    added = _add(found.session, found.enrolment, AttendanceMethod.CODE, user)
    touch(found.enrolment)
    return CheckIn(found.session, found.enrolment, already=not added)


# -- the register (marking by hand) ---------------------------------------------------------


@dataclass(frozen=True)
class RegisterLine:
    enrolment: Enrolment
    attendance: Attendance | None


def register(actor: User, session: ClassSession) -> list[RegisterLine]:
    """Every trainee of the session's cohort (withdrawn ones left out), present or not."""
    ensure(can_manage_cohort(actor, session.cohort))
    enrolments = db.session.scalars(
        select(Enrolment)
        .join(Enrolment.user)
        .where(
            Enrolment.cohort_id == session.cohort_id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
        )
        .order_by(func.lower(User.name), Enrolment.id)
    ).all()
    marks = {
        a.enrolment_id: a
        for a in db.session.scalars(select(Attendance).where(Attendance.session_id == session.id))
    }
    return [RegisterLine(e, marks.get(e.id)) for e in enrolments]


def mark(actor: User, session: ClassSession, present: set[int]) -> tuple[int, int]:
    """Make the register say exactly who was present; returns (added, removed)."""
    lines = register(actor, session)  # checks permission
    added = removed = 0
    for line in lines:
        if line.enrolment.id in present and line.attendance is None:
            added += _add(session, line.enrolment, AttendanceMethod.INSTRUCTOR, actor)
        elif line.enrolment.id not in present and line.attendance is not None:
            db.session.delete(line.attendance)
            publish(AttendanceCleared(session.id, line.enrolment.id))
            removed += 1
    db.session.flush()
    record(
        "attendance.mark", actor, session.cohort, session=session.id, added=added, removed=removed
    )
    return added, removed


# -- figures for the roster and reports ------------------------------------------------------


def attendance_by_enrolment(cohort: Cohort) -> tuple[int, dict[int, int]]:
    """(sessions held so far, {enrolment id: sessions attended}) for the cohort."""
    at = utcnow_naive()
    held = db.session.scalar(
        select(func.count())
        .select_from(ClassSession)
        .where(ClassSession.cohort_id == cohort.id, ClassSession.starts_at <= at)
    )
    rows = db.session.execute(
        select(Attendance.enrolment_id, func.count())
        .join(ClassSession, ClassSession.id == Attendance.session_id)
        .where(ClassSession.cohort_id == cohort.id)
        .group_by(Attendance.enrolment_id)
    )
    return int(held or 0), {enrolment_id: int(n) for enrolment_id, n in rows}


def session_counts(sessions: list[ClassSession]) -> dict[int, int]:
    """Trainees present, per session id."""
    if not sessions:
        return {}
    rows = db.session.execute(
        select(Attendance.session_id, func.count())
        .where(Attendance.session_id.in_([s.id for s in sessions]))
        .group_by(Attendance.session_id)
    )
    return {session_id: int(n) for session_id, n in rows}
