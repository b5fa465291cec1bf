"""Handing one outbox message to its channel's backend; returns the provider's reference.

Backends (setting `MESSAGE_BACKEND`): `log` (default: the message is printed to the
console of `lms run` / `lms worker`, so a new user sees what would be sent), `memory`
(kept in `app.extensions["lms.sent"]`, for tests and demos) and `smtp` (e-mail over SMTP;
SMS through the generic HTTP gateway of DESIGN, `SMS_GATEWAY_URL`). A failure raises
`SendFailed` with a reason that never contains a secret.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import Flask, current_app

from lms.outbox.models import OutboxMessage

log = logging.getLogger("lms.messages")
TIMEOUT = 20


SENDERS = "lms.senders"  # app.extensions key: channel -> sender registered by a higher package


class SendFailed(RuntimeError):
    """The backend did not accept the message; the text says why (no secrets).

    `permanent`: trying again cannot help (e.g. the webhook was disabled), so no retry."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


def register_sender(
    app: Flask, channel: str, sender: Callable[[OutboxMessage], str | None]
) -> None:
    """Deliver rows of `channel` with `sender` (webhooks and learning records register
    theirs, so the outbox needs to know nothing about them)."""
    app.extensions.setdefault(SENDERS, {})[channel] = sender


def send(message: OutboxMessage) -> str | None:
    registered = current_app.extensions.get(SENDERS, {}).get(message.channel)
    if registered is not None:
        return registered(message)
    backend = current_app.config.get("MESSAGE_BACKEND", "log")
    if backend == "memory":
        current_app.extensions.setdefault("lms.sent", []).append(message_copy(message))
        return f"memory-{message.id}"
    if backend == "smtp":
        return _send_email(message) if message.channel == "email" else _send_sms(message)
    log.warning(
        "message %s (%s) to %s: %s\n%s",
        message.id,
        message.channel,
        message.recipient,
        message.subject,
        message.body,
    )
    return None


def message_copy(message: OutboxMessage) -> dict:
    """What was sent, detached from the session (for the memory backend)."""
    return {
        "id": message.id,
        "to": message.recipient,
        "channel": message.channel,
        "subject": message.subject,
        "body": message.body,
        "kind": message.kind,
    }


def _send_email(message: OutboxMessage) -> str | None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    try:
        port = int(config.get("MAIL_PORT", 587))
        with smtplib.SMTP(config["MAIL_SERVER"], port, timeout=TIMEOUT) as smtp:
            if config.get("MAIL_USE_TLS", True):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendFailed(f"SMTP: {exc.__class__.__name__}") from None
    return None


def gateway_url_allowed(url: str) -> bool:
    """https, or plain http to a loopback address (a local test gateway)."""
    parts = urlsplit(url or "")
    if parts.scheme == "https":
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _send_sms(message: OutboxMessage) -> str | None:
    config = current_app.config
    url = config.get("SMS_GATEWAY_URL") or ""
    if not gateway_url_allowed(url):
        raise SendFailed("SMS_GATEWAY_URL must be an https:// URL (or http on loopback)")
    text = f"{message.subject}\n{message.body}" if message.subject else message.body
    payload = {"to": message.recipient, "text": text, "reference": str(message.id)}
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(payload).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {config.get('SMS_GATEWAY_TOKEN', '')}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            body = response.read(4096)
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"SMS gateway answered {exc.code}") from None
    except OSError as exc:
        raise SendFailed(f"SMS gateway unreachable: {exc.__class__.__name__}") from None
    try:
        return str(json.loads(body).get("id") or "")[:200] or None
    except (ValueError, AttributeError):
        return None
