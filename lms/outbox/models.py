"""`OutboxMessage`: one message to deliver, with its delivery state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow_naive
from lms.extensions import db

QUEUED, SENDING, SENT, FAILED, CANCELLED = "queued", "sending", "sent", "failed", "cancelled"
DELIVERED = "delivered"  # a delivery receipt said so (after SENT)
STATUSES = (QUEUED, SENDING, SENT, DELIVERED, FAILED, CANCELLED)
CHANNELS = ("email", "sms", "whatsapp", "webhook", "xapi")
PERSON_CHANNELS = ("email", "sms", "whatsapp")  # those that reach a person (not a system)


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_try_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # the event or nudge rule that caused it
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    attachment: Mapped[str | None] = mapped_column(String(300))  # a reference, never bytes
    status: Mapped[str] = mapped_column(String(20), default=QUEUED)
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    claimed_at: Mapped[datetime | None]
    failure: Mapped[str | None] = mapped_column(String(500))
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]  # when a receipt said delivered (or failed)
    language: Mapped[str | None] = mapped_column(String(8))  # the recipient's, when known

    # Named by string: the outbox sits below the packages that own people and cohorts.
    cohort = relationship("Cohort")
