"""Posting one webhook delivery, signed per Standard Webhooks (`webhook-id`,
`webhook-timestamp`, `webhook-signature`); the outbox retries a failure with back-off.
A webhook is disabled after `WEBHOOK_DISABLE_AFTER` consecutive failed tries (default 20);
its waiting deliveries then fail at once."""

from __future__ import annotations

import urllib.error
import urllib.request

from flask import current_app
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook as Signer

from lms.clock import now, utcnow_naive
from lms.extensions import db
from lms.outbox.models import OutboxMessage
from lms.outbox.senders import SendFailed, gateway_url_allowed
from lms.webhooks.models import WebhookDelivery

TIMEOUT = 15


def send_webhook(message: OutboxMessage) -> str | None:
    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.outbox_id == message.id)
    )
    if delivery is None or not delivery.webhook.active:
        raise SendFailed("webhook removed or disabled", permanent=True)
    webhook = delivery.webhook
    if not gateway_url_allowed(webhook.url):
        raise SendFailed("webhook URL must be https:// (or http on loopback)", permanent=True)
    moment = now()
    signature = Signer(webhook.secret).sign(delivery.message_id, moment, message.body)
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        webhook.url,
        data=message.body.encode(),
        headers={
            "Content-Type": "application/json",
            "User-Agent": "literacy-lms-webhooks",
            "webhook-id": delivery.message_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": signature,
        },
        method="POST",
    )
    delivery.last_try_at = utcnow_naive()
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            delivery.last_status = response.status
    except urllib.error.HTTPError as exc:
        delivery.last_status = exc.code
        _count_failure(webhook)
        raise SendFailed(f"webhook answered {exc.code}") from None
    except OSError as exc:
        delivery.last_status = None
        _count_failure(webhook)
        raise SendFailed(f"webhook unreachable: {exc.__class__.__name__}") from None
    webhook.failures = 0
    return delivery.message_id


def _count_failure(webhook) -> None:
    webhook.failures += 1
    if webhook.failures >= int(current_app.config.get("WEBHOOK_DISABLE_AFTER", 20)):
        webhook.active = False
        webhook.disabled_at = utcnow_naive()
        current_app.logger.warning("webhook %s disabled after %s failures", webhook.id,
                                   webhook.failures)  # fmt: skip
