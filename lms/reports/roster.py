"""The instructor's roster: progress per day, last activity, quiz results, at-risk flag.

Each row also counts the in-person sessions attended of those held so far.
At risk: no activity for AT_RISK_DAYS days while the cohort runs, or a failed quiz with
no attempts left. Sortable and filterable; the page and the CSV use the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from lms.attendance.services import attendance_by_enrolment
from lms.auth.models import User
from lms.clock import now, utcnow_naive
from lms.cohorts import pacing
from lms.cohorts.models import Cohort, Enrolment
from lms.courses.engine import Course
from lms.db import contains
from lms.extensions import db
from lms.permissions import can_see_names, can_view_cohort_reports, ensure, ensure_visible
from lms.progress.services import Progress, completed_lessons, quiz_statuses, summarise
from lms.quizzes.models import AttemptGrant

SORTS = ("name", "progress", "last_active", "joined", "attendance")


@dataclass(frozen=True)
class RosterRow:
    enrolment: Enrolment
    progress: Progress
    at_risk: bool
    reasons: tuple[str, ...]
    attended: int = 0  # in-person sessions attended
    sessions_held: int = 0  # the cohort's sessions started so far

    @property
    def percent(self) -> int:
        total = self.progress.steps_total
        return round(100 * self.progress.steps_done / total) if total else 0


def _grants(ids: list[int]) -> dict[tuple[int, str], int]:
    rows = db.session.execute(
        select(AttemptGrant.enrolment_id, AttemptGrant.quiz_key, func.count())
        .where(AttemptGrant.enrolment_id.in_(ids))
        .group_by(AttemptGrant.enrolment_id, AttemptGrant.quiz_key)
    )
    return {(e, q): n for e, q, n in rows}


def roster_rows(
    actor: User,
    cohort: Cohort,
    course: Course,
    sort: str = "name",
    at_risk_only: bool = False,
    search: str = "",
) -> list[RosterRow]:
    ensure_visible(can_view_cohort_reports(actor, cohort))  # others: as if it did not exist
    ensure(can_see_names(actor, cohort))
    query = select(Enrolment).join(Enrolment.user).where(Enrolment.cohort_id == cohort.id)
    if search.strip():
        query = query.where(
            func.lower(User.name).like(contains(search.strip().lower()), escape="\\")
        )
    enrolments = list(db.session.scalars(query))
    ids = [e.id for e in enrolments]
    done, statuses, grants = completed_lessons(ids), quiz_statuses(ids), _grants(ids)
    held, attended = attendance_by_enrolment(cohort)
    running = cohort.start_date <= now().date() and not pacing.has_ended(
        cohort.end_date, cohort.timezone, now()
    )
    idle_since = utcnow_naive() - timedelta(days=int(current_app.config.get("AT_RISK_DAYS", 3)))
    rows = []
    for enrolment in enrolments:
        progress = summarise(course, done.get(enrolment.id, set()), statuses.get(enrolment.id, {}))
        reasons = []
        if (
            enrolment.status == "active"
            and running
            and (enrolment.last_active_at or enrolment.joined_at) < idle_since
        ):
            reasons.append("inactive")
        for quiz in course.quizzes():
            status = progress.quizzes.get(quiz.key)
            limit = quiz.attempts + grants.get((enrolment.id, quiz.key), 0) if quiz.attempts else 0
            if (
                status
                and not status.passed
                and limit
                and status.attempts >= limit
                and quiz.key.startswith("day-")
            ):
                reasons.append(f"no attempts left: {quiz.key}")
        rows.append(
            RosterRow(
                enrolment,
                progress,
                bool(reasons),
                tuple(reasons),
                attended.get(enrolment.id, 0),
                held,
            )
        )
    if at_risk_only:
        rows = [row for row in rows if row.at_risk]
    keys = {
        "name": lambda r: (r.enrolment.user.name.lower(), r.enrolment.id),
        "progress": lambda r: (r.percent, r.enrolment.user.name.lower()),
        "last_active": lambda r: (
            r.enrolment.last_active_at or r.enrolment.joined_at,
            r.enrolment.id,
        ),
        "joined": lambda r: (r.enrolment.joined_at, r.enrolment.id),
        "attendance": lambda r: (r.attended, r.enrolment.user.name.lower(), r.enrolment.id),
    }
    return sorted(rows, key=keys.get(sort, keys["name"]))


def roster_csv_rows(rows: list[RosterRow], course: Course) -> list[list[object]]:
    header = [
        "name",
        "login",
        "status",
        "joined",
        "last_active",
        "progress_percent",
        "at_risk",
        "reasons",
    ]
    for day in course.days:  # two numeric columns, so a spreadsheet can sum and sort them
        header += [f"day_{day.number}_lessons_done", f"day_{day.number}_lessons_total"]
    header += [f"{quiz.key}_best" for quiz in course.quizzes()]
    header += ["sessions_attended", "sessions_held"]  # in-person sessions held so far
    table: list[list[object]] = [header]
    for row in rows:
        e = row.enrolment
        line = [
            e.user.name,
            e.user.login,
            e.status,
            e.joined_at.isoformat(timespec="minutes"),
            e.last_active_at.isoformat(timespec="minutes") if e.last_active_at else "",
            row.percent,
            "yes" if row.at_risk else "no",
            "; ".join(row.reasons),
        ]
        for day in row.progress.days:
            line += [day.lessons_done, day.lessons_total]
        line += [
            str(row.progress.quizzes[q.key].best) if q.key in row.progress.quizzes else ""
            for q in course.quizzes()
        ]
        line += [row.attended, row.sessions_held]
        table.append(line)
    return table
