"""Figures across cohorts: one row per cohort and a trend by month, each one grouped query.

Used by the organisation report, so a sponsor with many cohorts costs a few aggregates,
not a query per cohort.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, select

from lms.certificates.models import Certificate
from lms.cohorts.models import Enrolment, EnrolmentStatus
from lms.extensions import db

ACTIVE = Enrolment.status != EnrolmentStatus.WITHDRAWN


def _total(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def counts_by_cohort(cohort_ids: list[int]) -> dict[int, dict[str, int]]:
    """cohort id -> enrolled, withdrawn, started, completed, certificates."""
    rows = db.session.execute(
        select(
            Enrolment.cohort_id,
            _total(ACTIVE),
            _total(Enrolment.status == EnrolmentStatus.WITHDRAWN),
            _total(and_(ACTIVE, Enrolment.started_at.is_not(None))),
            _total(Enrolment.status == EnrolmentStatus.COMPLETED),
        )
        .where(Enrolment.cohort_id.in_(cohort_ids))
        .group_by(Enrolment.cohort_id)
    ).all()
    certificates = dict(
        db.session.execute(
            select(Enrolment.cohort_id, func.count())
            .select_from(Certificate)
            .join(Enrolment, Enrolment.id == Certificate.enrolment_id)
            .where(Enrolment.cohort_id.in_(cohort_ids), Certificate.status == "valid")
            .group_by(Enrolment.cohort_id)
        ).all()
    )
    empty = {"enrolled": 0, "withdrawn": 0, "started": 0, "completed": 0}
    result = {cohort_id: {**empty, "certificates": 0} for cohort_id in cohort_ids}
    for cohort_id, enrolled, withdrawn, started, completed in rows:
        result[int(cohort_id)] = {
            "enrolled": int(enrolled),
            "withdrawn": int(withdrawn),
            "started": int(started),
            "completed": int(completed),
            "certificates": int(certificates.get(cohort_id, 0)),
        }
    return result


def _month(column):
    if db.engine.dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def trend_by_month(cohort_ids: list[int]) -> list[dict]:
    """Per calendar month (UTC): trainees who joined, and who completed, that month."""
    joined_month = _month(Enrolment.joined_at)
    completed_month = _month(Enrolment.completed_at)
    joined = db.session.execute(
        select(joined_month, func.count())
        .where(Enrolment.cohort_id.in_(cohort_ids), ACTIVE)
        .group_by(joined_month)
    ).all()
    completed = db.session.execute(
        select(completed_month, func.count())
        .where(
            Enrolment.cohort_id.in_(cohort_ids),
            Enrolment.status == EnrolmentStatus.COMPLETED,
            Enrolment.completed_at.is_not(None),
        )
        .group_by(completed_month)
    ).all()
    months: dict[str, dict] = {}
    for month, count in joined:
        months.setdefault(str(month), {"joined": 0, "completed": 0})["joined"] = int(count)
    for month, count in completed:
        months.setdefault(str(month), {"joined": 0, "completed": 0})["completed"] = int(count)
    return [{"month": month, **months[month]} for month in sorted(months)]
