"""Webhook rules: add (admins; the signing secret is shown once), list, remove, the
delivery log, and the subscribers that turn domain events into one outbox row per
subscribed webhook, in the transaction of the change itself."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.certificates.events import CertificateIssued, CertificateRevoked
from lms.clock import now
from lms.cohorts.events import EnrolmentCreated, EnrolmentWithdrawn
from lms.errors import ServiceError
from lms.extensions import db
from lms.outbox.models import OutboxMessage
from lms.outbox.senders import gateway_url_allowed
from lms.outbox.services import queue_message
from lms.permissions import NotFound, ensure, is_admin
from lms.progress.events import EnrolmentCompleted
from lms.quizzes.events import AttemptRecorded
from lms.webhooks.models import EVENTS, Webhook, WebhookDelivery


@dataclass(frozen=True)
class NewWebhook:
    webhook: Webhook
    secret: str  # shown once


def add_webhook(actor: Any, url: str, events: list[str] | tuple[str, ...]) -> NewWebhook:
    ensure(is_admin(actor))
    url = (url or "").strip()
    if len(url) > 500 or not gateway_url_allowed(url):
        raise ServiceError(_("The address must be https:// (or http on this machine)."), "url")
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise ServiceError(_("Choose events among %(events)s.", events=", ".join(EVENTS)), "events")
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    webhook = Webhook(
        url=url,
        events=[e for e in EVENTS if e in events],
        secret=secret,
        created_by_id=getattr(actor, "id", None),
        created_at=now().replace(tzinfo=None),
    )
    db.session.add(webhook)
    db.session.flush()
    record("webhook.add", actor, webhook, url=url, events=webhook.events)
    return NewWebhook(webhook, secret)


def list_webhooks(actor: Any) -> list[Webhook]:
    ensure(is_admin(actor))
    return list(db.session.scalars(select(Webhook).order_by(Webhook.id)))


def remove_webhook(actor: Any, webhook_id: int) -> None:
    ensure(is_admin(actor))
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound()
    record("webhook.remove", actor, webhook, url=webhook.url)
    db.session.delete(webhook)


def deliveries(actor: Any, limit: int = 100) -> list[tuple[WebhookDelivery, OutboxMessage]]:
    """The delivery log, newest first, each with its outbox row (status, tries, failure)."""
    ensure(is_admin(actor))
    rows = db.session.execute(
        select(WebhookDelivery, OutboxMessage)
        .join(OutboxMessage, OutboxMessage.id == WebhookDelivery.outbox_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return [(delivery, message) for delivery, message in rows]


_hooks = Webhook.__table__
# Built once, Core columns: this runs in every quiz submission's write transaction.
_ACTIVE = select(_hooks.c.id, _hooks.c.url, _hooks.c.events).where(_hooks.c.active.is_(True))


def _queue(event: str, data: dict, cohort_id: int | None) -> None:
    for webhook in db.session.execute(_ACTIVE).all():
        if event not in webhook.events:
            continue
        message_id = "msg_" + secrets.token_urlsafe(18)
        payload = {"type": event, "timestamp": now().isoformat(), "data": data}
        row = queue_message(
            kind=f"webhook.{event}",
            channel="webhook",
            recipient=webhook.url,
            subject=event,
            body=json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
            cohort_id=cohort_id,
        )
        db.session.add(
            WebhookDelivery(
                webhook_id=webhook.id, outbox_id=row.id, event=event, message_id=message_id
            )  # fmt: skip
        )


def _enrolment(enrolment) -> dict:
    return {
        "enrolment_id": enrolment.id,
        "cohort_id": enrolment.cohort_id,
        "user_id": enrolment.user_id,
        "status": str(enrolment.status),
    }


def on_enrolment_created(event: EnrolmentCreated) -> None:
    _queue("enrolment.created", _enrolment(event.enrolment), event.enrolment.cohort_id)


def on_enrolment_withdrawn(event: EnrolmentWithdrawn) -> None:
    _queue("enrolment.withdrawn", _enrolment(event.enrolment), event.enrolment.cohort_id)


def on_enrolment_completed(event: EnrolmentCompleted) -> None:
    _queue("enrolment.completed", _enrolment(event.enrolment), event.enrolment.cohort_id)


def on_attempt_recorded(event: AttemptRecorded) -> None:
    attempt = event.attempt
    data = {
        **_enrolment(event.enrolment),
        "quiz": attempt.quiz_key,
        "attempt": attempt.number,
        "score": float(attempt.score),
        "passed": None if attempt.quiz_key == "pre-test" else attempt.passed,
    }
    _queue("attempt.recorded", data, event.enrolment.cohort_id)


def _certificate(certificate) -> dict:
    return {
        "code": certificate.code,
        "enrolment_id": certificate.enrolment_id,
        "cohort_id": certificate.enrolment.cohort_id,
        "status": certificate.status,
    }


def on_certificate_issued(event: CertificateIssued) -> None:
    data = _certificate(event.certificate)
    _queue("certificate.issued", data, data["cohort_id"])


def on_certificate_revoked(event: CertificateRevoked) -> None:
    data = _certificate(event.certificate)
    _queue("certificate.revoked", data, data["cohort_id"])
