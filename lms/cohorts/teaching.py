"""Who teaches a course: admins, and the instructors of any cohort of it (the preview's rule)."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.permissions import NotFound, is_admin


def teaches_course(actor: User | None, slug: str) -> bool:
    """Admins, and instructors of at least one cohort of the course `slug`."""
    if is_admin(actor):
        return True
    if not actor or not actor.is_authenticated or actor.role != "instructor":
        return False
    query = select(Cohort.id).where(
        Cohort.course_slug == slug, Cohort.instructors.any(User.id == actor.id)
    )
    return db.session.scalar(query.limit(1)) is not None


def ensure_teaches_course(actor: User | None, slug: str) -> None:
    """Anyone else (trainees, sponsors, other instructors) is told the page does not exist."""
    if not teaches_course(actor, slug):
        raise NotFound()
