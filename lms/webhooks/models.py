"""`Webhook` (a URL subscribed to events, with its signing secret) and `WebhookDelivery`
(the delivery log: one row per event sent to a webhook, tied to its outbox row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow_naive
from lms.extensions import db

EVENTS = (
    "enrolment.created",
    "enrolment.withdrawn",
    "enrolment.completed",
    "attempt.recorded",
    "certificate.issued",
    "certificate.revoked",
)


class Webhook(db.Model):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list] = mapped_column(JSON, default=list)
    # Needed in clear to sign (HMAC); never logged, shown once when the webhook is added.
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    failures: Mapped[int] = mapped_column(default=0)  # consecutive failed tries
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Webhook {self.id} {self.url!r}>"


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), unique=True)
    event: Mapped[str] = mapped_column(String(60))
    message_id: Mapped[str] = mapped_column(String(40), unique=True)  # the `webhook-id`
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    last_status: Mapped[int | None]  # the receiver's last HTTP status
    last_try_at: Mapped[datetime | None]

    webhook: Mapped[Webhook] = relationship()
