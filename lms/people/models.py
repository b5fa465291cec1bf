"""`DeletionRequest`: a person asked for their personal data to be erased."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.clock import utcnow_naive
from lms.extensions import db

PENDING, WITHDRAWN, DONE = "pending", "withdrawn", "done"
STATUSES = (PENDING, WITHDRAWN, DONE)


class DeletionRequest(db.Model):
    """One request; at most one pending per person (a partial unique index)."""

    __tablename__ = "deletion_requests"
    __table_args__ = (
        Index(
            "uq_deletion_requests_pending",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_deletion_requests_status", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    closed_at: Mapped[datetime | None]  # withdrawn by the person, or done by an admin
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
