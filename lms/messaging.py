"""Sending a message to an e-mail address or a phone number, behind one small interface.

Backends (setting `MESSAGE_BACKEND`): `log` (default: the message is written to the log,
for development), `memory` (kept in `app.extensions["lms.outbox"]`, for tests and demos),
and `smtp` (e-mail over SMTP; SMS through an HTTP gateway, `SMS_GATEWAY_URL`).
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: str  # an e-mail address or an E.164 number
    subject: str
    body: str

    @property
    def is_email(self) -> bool:
        return "@" in self.to


def send(message: Message) -> None:
    backend = current_app.config.get("MESSAGE_BACKEND", "log")
    if backend == "memory":
        current_app.extensions.setdefault("lms.outbox", []).append(message)
    elif backend == "smtp":
        (_send_email if message.is_email else _send_sms)(message)
    else:
        log.info("message to %s: %s\n%s", message.to, message.subject, message.body)


def _send_email(message: Message) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 587)), timeout=20) as smtp:
        if config.get("MAIL_USE_TLS", True):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _send_sms(message: Message) -> None:
    config = current_app.config
    url = config.get("SMS_GATEWAY_URL")
    if not url or not url.startswith("https://"):
        raise RuntimeError("SMS_GATEWAY_URL must be an https:// URL to send text messages")
    payload = json.dumps({"to": message.to, "text": f"{message.subject}\n{message.body}"}).encode()
    request = urllib.request.Request(  # noqa: S310 - https only, checked above
        url,
        data=payload,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {config.get('SMS_GATEWAY_TOKEN', '')}",
        },
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        response.read()
