"""Writing messages into the outbox, and the staff actions on them (requeue, cancel)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.clock import utcnow_naive
from lms.errors import ServiceError
from lms.extensions import db
from lms.outbox.models import CANCELLED, FAILED, QUEUED, OutboxMessage
from lms.permissions import NotFound, can_manage_cohort, ensure, ensure_visible, is_admin

NEW_IDS = "lms.outbox.new"  # session.info key: rows to hand to the queue after commit


def channel_for(recipient: str) -> str:
    return "email" if "@" in recipient else "sms"


def queue_message(
    *,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    channel: str | None = None,
    user_id: int | None = None,
    cohort_id: int | None = None,
    attachment: str | None = None,
    language: str | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; it is sent after commit."""
    message = OutboxMessage(
        kind=kind,
        channel=channel or channel_for(recipient),
        recipient=recipient,
        subject=subject,
        body=body,
        user_id=user_id,
        cohort_id=cohort_id,
        attachment=attachment,
        language=language,
        status=QUEUED,
        next_try_at=utcnow_naive(),
        created_at=utcnow_naive(),
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(NEW_IDS, []).append(message.id)
    return message


def _may_manage(actor: Any, message: OutboxMessage) -> bool:
    if is_admin(actor):
        return True
    return message.cohort is not None and can_manage_cohort(actor, message.cohort)


def managed_message(actor: Any, message_id: int) -> OutboxMessage:
    """A message the actor may see and act on (admins: all; instructors: their cohorts')."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or not _may_manage(actor, message):
        raise NotFound()
    return message


def cohort_messages(actor: Any, cohort: Any, limit: int = 200) -> list[OutboxMessage]:
    ensure_visible(can_manage_cohort(actor, cohort))
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.cohort_id == cohort.id)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def requeue(actor: Any, message: OutboxMessage) -> None:
    """Try a failed (or cancelled) message again, from the first try."""
    ensure(_may_manage(actor, message))
    if message.status not in (FAILED, CANCELLED):
        raise ServiceError(_("Only a failed or cancelled message can be sent again."))
    message.status, message.tries, message.failure = QUEUED, 0, None
    message.next_try_at = utcnow_naive()
    db.session.flush()
    db.session.info.setdefault(NEW_IDS, []).append(message.id)
    record("message.requeue", actor, message, cohort_id=message.cohort_id)


def cancel(actor: Any, message: OutboxMessage) -> None:
    """Stop a message that has not been sent."""
    ensure(_may_manage(actor, message))
    if message.status not in (QUEUED, FAILED):
        raise ServiceError(_("Only a waiting or failed message can be cancelled."))
    message.status = CANCELLED
    record("message.cancel", actor, message, cohort_id=message.cohort_id)
