"""Admin queries: searchable, paginated lists of users, organisations and audit entries."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from lms.audit.models import AuditEntry
from lms.auth.models import Organisation, User
from lms.cohorts.models import Cohort
from lms.db import contains
from lms.extensions import db
from lms.permissions import require_role
from lms.web.forms import Page


def _page(query, page: int, per_page: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    return Page(items, page, per_page, total)


def users(actor: User, search: str = "", page: int = 1, per_page: int = 50) -> Page:
    require_role(actor, "admin")
    query = select(User).order_by(func.lower(User.name), User.id)
    if search.strip():
        like = contains(search.strip().lower())
        query = query.where(
            or_(
                *(
                    column.like(like, escape="\\")
                    for column in (func.lower(User.name), User.email, User.phone)
                )
            )
        )
    return _page(query, page, per_page)


def organisations(actor: User) -> list[Organisation]:
    require_role(actor, "admin")
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def audit_entries(actor: User, page: int = 1, per_page: int = 50) -> Page:
    require_role(actor, "admin")
    return _page(select(AuditEntry).order_by(AuditEntry.id.desc()), page, per_page)


def get_user(actor: User, user_id: int) -> User | None:
    require_role(actor, "admin")
    return db.session.get(User, user_id)


def entry_zones(entries: list[AuditEntry]) -> dict[int, tuple[str, str]]:
    """Per audit entry that names a cohort (as its target, or `cohort_id` in its details):
    that cohort's (timezone, country), so the log shows times as the cohort lives them."""
    cohort_of: dict[int, int] = {}
    for entry in entries:
        details = entry.details if isinstance(entry.details, dict) else {}
        cohort_id = entry.target_id if entry.target_type == "cohort" else details.get("cohort_id")
        if isinstance(cohort_id, int):
            cohort_of[entry.id] = cohort_id
    if not cohort_of:
        return {}
    rows = db.session.execute(
        select(Cohort.id, Cohort.timezone, Cohort.country).where(
            Cohort.id.in_(set(cohort_of.values()))
        )
    )
    zones = {cohort_id: (timezone, country) for cohort_id, timezone, country in rows}
    return {entry: zones[c] for entry, c in cohort_of.items() if c in zones}
