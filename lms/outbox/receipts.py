"""Delivery receipts: a provider says a message it accepted was delivered or failed.

The message is found by its outbox id (the `reference` the generic gateway was given) or
by the provider's own reference (Twilio's SID, WhatsApp's message id). A receipt never
moves a message backwards: a late "sent" after "delivered" changes nothing.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from lms.clock import utcnow_naive
from lms.extensions import db
from lms.outbox.models import DELIVERED, FAILED, SENT, OutboxMessage

RECEIPT_STATUSES = {"delivered": DELIVERED, "failed": FAILED, "undelivered": FAILED}


def find_by_reference(reference: str, channel: str | None = None) -> OutboxMessage | None:
    reference = str(reference or "").strip()[:200]
    if not reference:
        return None
    condition = OutboxMessage.provider_ref == reference
    if reference.isdigit() and len(reference) < 10:
        condition = or_(condition, OutboxMessage.id == int(reference))
    query = select(OutboxMessage).where(condition).order_by(OutboxMessage.id)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return db.session.scalars(query).first()


def apply_receipt(message: OutboxMessage, status: str, reason: str | None = None) -> bool:
    """Record what the provider said; False when the status is not one a receipt sets."""
    new = RECEIPT_STATUSES.get(str(status).lower())
    if new is None:
        return False
    if message.status in (SENT, DELIVERED, FAILED) and message.status != DELIVERED:
        message.status = new
        message.delivered_at = utcnow_naive()
        if new == FAILED:
            message.failure = (reason or "the provider reported a failed delivery")[:500]
    elif message.status == DELIVERED and new == FAILED:
        pass  # delivered stays delivered
    db.session.flush()
    return True
