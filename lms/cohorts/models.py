"""`Cohort`, its instructors, and `Enrolment` (a user in a cohort)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import Organisation, User
from lms.clock import utcnow_naive
from lms.extensions import db

cohort_instructors = Table(
    "cohort_instructors",
    db.metadata,
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Pacing(enum.StrEnum):
    SCHEDULED = "scheduled"  # Day N opens at local midnight on start + N - 1
    SELF = "self"  # every day open


class Cohort(db.Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    country: Mapped[str] = mapped_column(String(2), default="PK")  # default phone region
    pacing: Mapped[str] = mapped_column(String(20), default=Pacing.SCHEDULED)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    capacity: Mapped[int | None]
    sponsor_sees_names: Mapped[bool] = mapped_column(default=False, server_default=false())
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    # Nudges go only between these local hours (cohort's timezone), [from, until).
    messages_from_hour: Mapped[int] = mapped_column(default=9, server_default="9")
    messages_until_hour: Mapped[int] = mapped_column(default=21, server_default="21")

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    instructors: Mapped[list[User]] = relationship(secondary=cohort_instructors)

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.name!r}>"


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id"),
        Index("ix_enrolments_cohort_status", "cohort_id", "status", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=EnrolmentStatus.ACTIVE, index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    completed_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    last_active_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]  # first lesson done (kept for reports)

    cohort: Mapped[Cohort] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Enrolment {self.id} cohort={self.cohort_id} user={self.user_id} {self.status}>"
