"""Delivering outbox rows: claim atomically, send, record the outcome, retry with back-off.

A row is claimed by one conditional UPDATE (queued and due → sending) committed before
the send, so two deliverers racing for it cannot both send it. A send that fails is
retried after 30 s, 2 min, 10 min and 1 h (5 tries in all), then marked failed where
staff see it. A claim older than `STALE_CLAIM` (a worker killed mid-send) is taken over.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from lms.clock import utcnow_naive
from lms.extensions import db
from lms.outbox import senders
from lms.outbox.models import CANCELLED, FAILED, QUEUED, SENDING, SENT, OutboxMessage

log = logging.getLogger(__name__)
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10),
                timedelta(hours=1))  # fmt: skip
MAX_TRIES = len(RETRY_DELAYS) + 1
STALE_CLAIM = timedelta(minutes=10)
GATES = "lms.outbox.gates"  # app.extensions key: checks run just before each send


def add_gate(app, gate) -> None:
    """`gate(message)` returns a reason to cancel the message instead of sending it (such
    as "opted out": consent is checked at the last moment, retries included), or None."""
    app.extensions.setdefault(GATES, []).append(gate)


@dataclass
class DeliveryRun:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _claimable(now):
    return or_(
        and_(OutboxMessage.status == QUEUED, OutboxMessage.next_try_at <= now),
        and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - STALE_CLAIM),
    )


def due_ids(limit: int = 500) -> list[int]:
    now = utcnow_naive()
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(_claimable(now))
            .order_by(OutboxMessage.next_try_at, OutboxMessage.id)
            .limit(limit)
        )
    )
    db.session.rollback()
    return ids


def claim(message_id: int) -> bool:
    """Take the row for this deliverer; False when another one has it or it is not due."""
    now = utcnow_naive()
    taken = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _claimable(now))
        .values(status=SENDING, claimed_at=now, tries=OutboxMessage.tries + 1)
    ).rowcount
    db.session.commit()
    return bool(taken)


def deliver_one(message_id: int, run: DeliveryRun | None = None) -> str | None:
    """Deliver one message if it is due and nobody else is; returns its new status."""
    run = run or DeliveryRun()
    if not claim(message_id):
        return None
    message = db.session.get(OutboxMessage, message_id)
    for gate in current_app.extensions.get(GATES, ()):
        reason = gate(message)
        if reason:
            message.status, message.failure = CANCELLED, str(reason)[:500]
            db.session.commit()
            return CANCELLED
    try:
        reference = senders.send(message)
    except senders.SendFailed as exc:
        return _failed(message, str(exc), run, permanent=exc.permanent)
    except Exception as exc:  # noqa: BLE001 - a backend bug must not lose the message
        log.exception("sending message %s failed unexpectedly", message_id)
        return _failed(message, f"unexpected error: {exc.__class__.__name__}", run)
    message.status, message.sent_at, message.failure = SENT, utcnow_naive(), None
    message.provider_ref = reference
    db.session.commit()
    run.sent.append(message_id)
    return SENT


def _failed(message: OutboxMessage, reason: str, run: DeliveryRun, permanent: bool = False) -> str:
    message.failure = reason[:500]
    if message.tries >= MAX_TRIES or permanent:
        message.status = FAILED
        run.failed.append(message.id)
        log.warning("message %s failed after %s tries: %s", message.id, message.tries, reason)
    else:
        message.status = QUEUED
        message.next_try_at = utcnow_naive() + RETRY_DELAYS[message.tries - 1]
        run.retrying.append(message.id)
    db.session.commit()
    return message.status


def deliver_due(limit: int = 500) -> DeliveryRun:
    """Deliver every message due now (retries included), each claimed on its own."""
    run = DeliveryRun()
    for message_id in due_ids(limit):
        deliver_one(message_id, run)
    return run
