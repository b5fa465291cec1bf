"""One sender interface for every channel: `send(message)` hands an outbox row to the
backend its channel's setting names and returns the provider's reference (or None).

Settings: `EMAIL_BACKEND` (`log`, `smtp`), `SMS_BACKEND` (`log`, `http`, `twilio`),
`WHATSAPP_BACKEND` (`log`, `cloud`, `twilio`); `log` is the default and prints each
message to the console of `lms run` / `lms worker`, so a new user sees what would be
sent; `memory` keeps messages in `app.extensions["lms.sent"]` (tests, demos). Other kinds
of outbox rows (webhooks, learning records) register a sender for their own channel per
app with `register_sender`; the delivery loop never needs to know them. A failure raises
`SendFailed` with a reason that never contains a secret.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask, current_app

from lms.outbox import phone_backends
from lms.outbox.email_backend import send_smtp
from lms.outbox.models import OutboxMessage
from lms.outbox.transport import SendFailed, gateway_url_allowed

Sender = Callable[[OutboxMessage], str | None]
APP_SENDERS = "lms.senders"  # app.extensions key: channel -> sender of a higher package
SETTINGS = {"email": "EMAIL_BACKEND", "sms": "SMS_BACKEND", "whatsapp": "WHATSAPP_BACKEND"}
_SENDERS: dict[tuple[str, str], Sender] = {
    ("email", "smtp"): send_smtp,
    ("sms", "http"): phone_backends.send_http_sms,
    ("sms", "twilio"): phone_backends.send_twilio_sms,
    ("whatsapp", "cloud"): phone_backends.send_cloud_whatsapp,
    ("whatsapp", "twilio"): phone_backends.send_twilio_whatsapp,
}

__all__ = [
    "SETTINGS",
    "SendFailed",
    "backend_for",
    "gateway_url_allowed",
    "message_copy",
    "register",
    "register_sender",
    "send",
]


def register(channel: str, backend: str, sender: Sender) -> None:
    """Make `sender` deliver `channel` messages when the channel's setting says `backend`
    (a channel without a setting, such as `webhook`, uses the backend name `default`)."""
    _SENDERS[(channel, backend)] = sender


def register_sender(app: Flask, channel: str, sender: Sender) -> None:
    """Deliver `app`'s rows of `channel` with `sender` (webhooks and learning records
    register theirs, so the outbox needs to know nothing about them)."""
    app.extensions.setdefault(APP_SENDERS, {})[channel] = sender


def backend_for(channel: str) -> str:
    setting = SETTINGS.get(channel)
    if setting is None:
        return "default"
    return str(current_app.config.get(setting) or "log")


def send(message: OutboxMessage) -> str | None:
    registered = current_app.extensions.get(APP_SENDERS, {}).get(message.channel)
    if registered is not None:
        return registered(message)
    backend = backend_for(message.channel)
    if backend in ("log", "memory") and message.channel in SETTINGS:
        return _print(message) if backend == "log" else _keep(message)
    sender = _SENDERS.get((message.channel, backend))
    if sender is None:
        raise SendFailed(f"no {backend!r} backend for {message.channel} messages")
    return sender(message)


def _print(message: OutboxMessage) -> None:
    """The `log` backend: the message, as it would be sent, on the console (stderr)."""
    click.echo(
        f"--- message {message.id} ({message.channel}, {message.kind}) to {message.recipient}\n"
        + (f"Subject: {message.subject}\n" if message.subject else "")
        + f"{message.body}\n---",
        err=True,
    )
    return None


def _keep(message: OutboxMessage) -> str:
    current_app.extensions.setdefault("lms.sent", []).append(message_copy(message))
    return f"memory-{message.id}"


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
