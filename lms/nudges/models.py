"""`NudgeSend` (one nudge queued for one enrolment: at most one per rule and local day)
and `LoginCode` (a one-time sign-in code sent to a phone, stored hashed)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.clock import utcnow_naive
from lms.extensions import db


class NudgeSend(db.Model):
    __tablename__ = "nudge_sends"
    __table_args__ = (
        UniqueConstraint("rule", "enrolment_id", "local_day"),
        Index("ix_nudge_sends_rule_key", "enrolment_id", "rule", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(100), default="")  # what it was about: day-2, ...
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    local_day: Mapped[date]  # the calendar day in the cohort's timezone
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)


class LoginCode(db.Model):
    __tablename__ = "login_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
