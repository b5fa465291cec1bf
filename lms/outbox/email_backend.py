"""E-mail over SMTP (`EMAIL_BACKEND=smtp`): `MAIL_SERVER`, `MAIL_PORT`, `MAIL_USE_TLS`,
`MAIL_USERNAME`, `MAIL_PASSWORD`, `MAIL_FROM`. A message with an unsubscribe link carries
it in `List-Unsubscribe` too, so mail clients offer it. A message's `attachment` (a
reference to a file in the instance folder, `lms.outbox.attachments`) goes as a MIME part."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

from flask import current_app

from lms.outbox.attachments import MissingAttachment, read_attachment
from lms.outbox.models import OutboxMessage
from lms.outbox.transport import TIMEOUT, SendFailed

UNSUBSCRIBE = re.compile(r"https?://\S+/messages/unsubscribe/\S+")


def send_smtp(message: OutboxMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}@{config['MAIL_FROM'].rpartition('@')[2]}>"
    link = UNSUBSCRIBE.search(message.body or "")
    if link:
        email["List-Unsubscribe"] = f"<{link.group(0)}>"
    email.set_content(message.body)
    if message.attachment:
        try:
            filename, mimetype, data = read_attachment(message.attachment)
        except MissingAttachment:
            raise SendFailed("attachment missing") from None
        maintype, _, subtype = mimetype.partition("/")
        email.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    try:
        port = int(config.get("MAIL_PORT", 587))
        with smtplib.SMTP(config["MAIL_SERVER"], port, timeout=TIMEOUT) as smtp:
            if str(config.get("MAIL_USE_TLS", True)).lower() not in ("false", "0", "no"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendFailed(f"SMTP: {exc.__class__.__name__}") from None
    return None
