"""Bulk enrolment from a spreadsheet: validate rows, create missing accounts, enrol.

Idempotent: running the same file twice enrols no one twice. New accounts get a one-time
set-password link and code (sent, and shown to the instructor to pass on).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.auth.identity import InvalidLogin, normalise_email, normalise_phone
from lms.auth.models import User
from lms.auth.services import IssuedToken, create_user, issue_token, send_token
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.cohorts.services import enrol
from lms.cohorts.spreadsheet import Row, RowError, decode, read_rows
from lms.errors import ServiceError
from lms.extensions import db
from lms.permissions import can_manage_cohort, ensure_visible


@dataclass
class BulkReport:
    enrolled: list[tuple[int, User]] = field(default_factory=list)
    already: list[tuple[int, User]] = field(default_factory=list)
    created: list[tuple[int, User, IssuedToken]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _logins(row: Row, region: str) -> tuple[str | None, str | None]:
    email = normalise_email(row.email) if row.email else None
    phone = normalise_phone(row.phone, region) if row.phone else None
    return email, phone


def _find(email: str | None, phone: str | None) -> tuple[User | None, str | None]:
    """The existing account for these logins, or an error when they name two people."""
    by_email = db.session.scalar(select(User).where(User.email == email)) if email else None
    by_phone = db.session.scalar(select(User).where(User.phone == phone)) if phone else None
    if by_email and by_phone and by_email.id != by_phone.id:
        return None, _("the e-mail and the phone number belong to two different accounts")
    return by_email or by_phone, None


def bulk_enrol(actor: User, cohort: Cohort, data: bytes, send_messages: bool = True) -> BulkReport:
    ensure_visible(can_manage_cohort(actor, cohort))
    report = BulkReport()
    try:
        text = decode(data)
    except ValueError:
        report.errors.append(
            RowError(1, _("the file is not UTF-8: save it as “CSV UTF-8” and try again"))
        )
        return report
    rows, report.errors = read_rows(text)
    return enrol_rows(actor, cohort, rows, send_messages, report)


def enrol_rows(
    actor: User,
    cohort: Cohort,
    rows: list[Row],
    send_messages: bool = True,
    report: BulkReport | None = None,
) -> BulkReport:
    """Enrol the good rows (a spreadsheet's, or the API's), report each bad one by line."""
    ensure_visible(can_manage_cohort(actor, cohort))
    report = report or BulkReport()
    seen: dict[str, int] = {}
    languages = current_app.config["LANGUAGES"]
    for row in rows:
        problem = _row_problem(row, cohort, seen, languages)
        if isinstance(problem, str):
            report.errors.append(RowError(row.line, problem))
            continue
        email, phone = problem
        _enrol_row(actor, cohort, row, email, phone, report)
    if send_messages:
        for _line, _user, issued in report.created:
            send_token(issued)
    record(
        "enrolment.bulk",
        actor,
        cohort,
        enrolled=len(report.enrolled),
        created=len(report.created),
        already=len(report.already),
        errors=len(report.errors),
    )
    return report


def _row_problem(row: Row, cohort: Cohort, seen: dict[str, int], languages: list[str]):
    """Either a message saying what is wrong, or the row's (email, phone)."""
    if not row.name:
        return _("the name is missing")
    if len(row.name) > 200:
        return _("the name is longer than 200 characters")
    if not row.email and not row.phone:
        return _("give an e-mail address or a phone number")
    if row.language and row.language.lower() not in languages:
        return _(
            "unknown language %(language)s (use one of %(list)s)",
            language=row.language,
            list=", ".join(languages),
        )
    try:
        email, phone = _logins(row, cohort.country)
    except InvalidLogin as exc:
        return str(exc).rstrip(".").lower()
    for login in filter(None, (email, phone)):
        if login in seen:
            return _("same person as line %(line)d", line=seen[login])
    for login in filter(None, (email, phone)):
        seen[login] = row.line
    return email, phone


def _enrol_row(actor, cohort, row, email, phone, report: BulkReport) -> None:
    user, problem = _find(email, phone)
    if problem:
        report.errors.append(RowError(row.line, problem))
        return
    if user is not None and user.role != "trainee":
        report.errors.append(RowError(row.line, _("this login belongs to a staff account")))
        return
    if user is None:
        try:
            user = create_user(
                name=row.name,
                login=email or phone,
                password=None,
                language=(row.language or "").lower() or current_app.config["LANGUAGES"][0],
                region=cohort.country,
                actor=actor,
            )
        except ServiceError as exc:
            report.errors.append(RowError(row.line, exc.message))
            return
        if email and phone:
            user.phone = phone
        report.created.append((row.line, user, issue_token(user, "welcome", actor=actor)))
    existing = db.session.scalar(
        select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id)
    )
    if existing is None:
        enrol(cohort, user, actor=actor)
        report.enrolled.append((row.line, user))
    elif existing.status == EnrolmentStatus.WITHDRAWN:
        existing.status, existing.withdrawn_at = EnrolmentStatus.ACTIVE, None
        record("enrolment.reinstate", actor, existing, cohort_id=cohort.id, user_id=user.id)
        report.enrolled.append((row.line, user))
    else:
        report.already.append((row.line, user))
