"""The monthly summary by e-mail: each active sponsor user who opted in (profile, `monthly_report`)
gets their organisation's report for the month as a PDF, through the outbox.

`lms report monthly [--month YYYY-MM] [--dry-run]` runs it (the previous calendar month by
default); `lms worker` runs it on the 1st of each month (`scheduled_run`). At most one
message per user and month: the outbox row's kind is `report.monthly.YYYY-MM`, and a user
who already has one for the month is skipped, so a second run queues nothing.

The report is the organisation report of the cohorts that started by the month's end, made
with the sponsor as the actor (so each sponsor sees only their own organisation), and the
PDF is the one `/reports/organisation.pdf` prints (`exports.report_pdf`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db
from lms.outbox.attachments import store_attachment
from lms.outbox.models import OutboxMessage
from lms.outbox.services import queue_message
from lms.permissions import ensure, is_admin
from lms.reports import exports, services

KIND = "report.monthly."  # + YYYY-MM
LANGUAGES = ("en", "ur", "id")
log = logging.getLogger(__name__)


@dataclass
class MonthlyResult:
    month: str  # YYYY-MM
    queued: list[int] = field(default_factory=list)  # user ids (would be, with dry_run)
    already: int = 0  # users who have this month's message already


def previous_month(today: date) -> date:
    """The first day of the calendar month before `today`'s."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def parse_month(value: str) -> date:
    """`YYYY-MM` as the first day of that month (ValueError otherwise)."""
    year, sep, month = value.partition("-")
    if not sep or len(year) != 4 or len(month) != 2:
        raise ValueError(value)
    return date(int(year), int(month), 1)


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def recipients() -> list[User]:
    """Active sponsor users of an organisation, with an e-mail address, who opted in."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == "sponsor",
                User.active.is_(True),
                User.monthly_report.is_(True),
                User.organisation_id.is_not(None),
                User.email.is_not(None),
            )
            .order_by(User.id)
        )
    )


def _kind(first: date) -> str:
    return f"{KIND}{first:%Y-%m}"


def _already_sent(user: User, kind: str) -> bool:
    return (
        db.session.scalar(
            select(OutboxMessage.id)
            .where(OutboxMessage.kind == kind, OutboxMessage.user_id == user.id)
            .limit(1)
        )
        is not None
    )


def _figure(value: float | None, too_few: bool) -> str:
    if too_few or value is None:
        return _("too few")
    return format_decimal(value, "#,##0.#") + "%"


def _text(report: services.Report, first: date) -> tuple[str, str]:
    """Subject and body in the current locale; the organisation's name is plain text with
    its whitespace (line breaks included) folded, so it cannot add a header or a line."""
    name = " ".join(report.title.split())
    month = format_date(first, "MMMM y")
    this_month = next((t for t in report.trend if t["month"] == f"{first:%Y-%m}"), None)
    joined = this_month["joined"] if this_month else 0
    completed = this_month["completed"] if this_month else 0
    subject = _("%(organisation)s: monthly summary, %(month)s", organisation=name, month=month)
    lines = [
        _("The monthly summary of %(organisation)s for %(month)s.", organisation=name, month=month),
        "",
        _(
            "In %(month)s: %(joined)s joined, %(completed)s completed.",
            month=month,
            joined=joined,
            completed=completed,
        ),  # fmt: skip
        _("All cohorts that started by the end of %(month)s:", month=month),
        _("Enrolled: %(n)s", n=report.enrolled),
        _("Started: %(n)s", n=report.started),
        _("Completed: %(n)s", n=report.completed),
        _(
            "Completion rate: %(rate)s",
            rate=_figure(report.completion_rate, report.completion_too_few),
        ),  # fmt: skip
        _("Certificates: %(n)s", n=report.certificates),
        "",
        _("The full report is attached as a PDF."),
        _("To stop this summary, untick it in your profile."),
    ]
    return subject, "\n".join(lines)


def send_monthly(actor: Any, first: date, *, dry_run: bool = False) -> MonthlyResult:
    """Queue this month's summary for every sponsor user who wants it and has not had it.

    Admins and the command line (`SYSTEM`) only. Each report is made with the sponsor as
    the actor, so it holds their own organisation's figures and nothing else."""
    ensure(is_admin(actor), "only admins send the monthly report")
    first = first.replace(day=1)
    kind = _kind(first)
    result = MonthlyResult(month=f"{first:%Y-%m}")
    filters = services.Filters(end=_month_end(first))
    for user in recipients():
        if _already_sent(user, kind):
            result.already += 1
            continue
        result.queued.append(user.id)
        if dry_run:
            continue
        language = user.language if user.language in LANGUAGES else "en"
        with force_locale(language):
            report = services.organisation_report(user, None, filters, language)
            pdf = exports.report_pdf(report)
            subject, body = _text(report, first)
        reference = store_attachment(f"report-monthly-{first:%Y-%m}-user-{user.id}.pdf", pdf)
        queue_message(
            kind=kind,
            recipient=user.email,
            subject=subject,
            body=body,
            channel="email",
            user_id=user.id,
            attachment=reference,
            language=language,
        )
    return result
