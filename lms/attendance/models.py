"""`ClassSession` (one in-person meeting of a cohort) and `Attendance` (a trainee was there).

Times are stored as naive UTC, like every timestamp; pages show them in the cohort's
timezone. One `Attendance` row per session and enrolment (a unique constraint), so a
trainee counts once however often the code is opened, even under races.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow_naive
from lms.cohorts.models import Cohort, Enrolment
from lms.extensions import db


class ClassSession(db.Model):
    """An in-person session: when (start and end, UTC) and where; `secret` seeds its codes."""

    __tablename__ = "class_sessions"
    __table_args__ = (Index("ix_class_sessions_window", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)

    cohort: Mapped[Cohort] = relationship(lazy="joined")


class AttendanceMethod:
    CODE = "code"  # the trainee opened the session's check-in code
    INSTRUCTOR = "instructor"  # marked by hand


class Attendance(db.Model):
    """An enrolment was present at a session."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("session_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(20))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow_naive)

    enrolment: Mapped[Enrolment] = relationship()
