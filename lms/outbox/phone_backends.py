"""SMS and WhatsApp backends.

- `SMS_BACKEND=http`: the generic gateway of DESIGN for local aggregators: `POST
  SMS_GATEWAY_URL` with `{"to", "text", "reference"}` and `Authorization: Bearer
  SMS_GATEWAY_TOKEN`; any 2xx is accepted (an `id` in the answer is kept as reference).
- `SMS_BACKEND=twilio` / `WHATSAPP_BACKEND=twilio`: Twilio's Messages API
  (`TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`, `TWILIO_SMS_FROM`, `TWILIO_WHATSAPP_FROM`).
- `WHATSAPP_BACKEND=cloud`: WhatsApp Cloud API (`WHATSAPP_PHONE_NUMBER_ID`,
  `WHATSAPP_TOKEN`). Messages the business starts must use an approved template outside
  the 24-hour window, so every message goes as the template `WHATSAPP_TEMPLATE` with the
  text as its one body parameter, in the recipient's language.
"""

from __future__ import annotations

import base64

from flask import current_app

from lms.outbox.models import OutboxMessage
from lms.outbox.transport import SendFailed, post


def sms_text(message: OutboxMessage) -> str:
    return f"{message.subject}\n{message.body}" if message.subject else message.body


def send_http_sms(message: OutboxMessage) -> str | None:
    config = current_app.config
    answer = post(
        config.get("SMS_GATEWAY_URL") or "",
        setting="LMS_SMS_GATEWAY_URL",
        headers={"Authorization": f"Bearer {config.get('SMS_GATEWAY_TOKEN', '')}"},
        json_body={
            "to": message.recipient,
            "text": sms_text(message),
            "reference": str(message.id),
        },
        what="SMS gateway",
    )
    return _reference(answer, "id")


def _reference(answer: object, key: str) -> str | None:
    if isinstance(answer, dict) and answer.get(key):
        return str(answer[key])[:200]
    return None


def _twilio(message: OutboxMessage, sender: str, to: str) -> str | None:
    config = current_app.config
    sid, token = config.get("TWILIO_ACCOUNT_SID") or "", config.get("TWILIO_AUTH_TOKEN") or ""
    if not (sid and token and sender):
        raise SendFailed("Twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender number")
    base = str(config.get("TWILIO_API_URL") or "https://api.twilio.com").rstrip("/")
    form = {"To": to, "From": sender, "Body": sms_text(message)}
    public = str(config.get("PUBLIC_URL") or "").rstrip("/")
    if public:
        form["StatusCallback"] = f"{public}/hooks/twilio/status"
    basic = base64.b64encode(f"{sid}:{token}".encode()).decode()
    answer = post(
        f"{base}/2010-04-01/Accounts/{sid}/Messages.json",
        setting="LMS_TWILIO_API_URL",
        headers={"Authorization": f"Basic {basic}"},
        form=form,
        what="Twilio",
    )
    return _reference(answer, "sid")


def send_twilio_sms(message: OutboxMessage) -> str | None:
    return _twilio(message, current_app.config.get("TWILIO_SMS_FROM") or "", message.recipient)


def send_twilio_whatsapp(message: OutboxMessage) -> str | None:
    sender = current_app.config.get("TWILIO_WHATSAPP_FROM") or ""
    return _twilio(message, f"whatsapp:{sender}" if sender else "", f"whatsapp:{message.recipient}")


def send_cloud_whatsapp(message: OutboxMessage) -> str | None:
    config = current_app.config
    number_id, token = config.get("WHATSAPP_PHONE_NUMBER_ID"), config.get("WHATSAPP_TOKEN")
    if not (number_id and token):
        raise SendFailed("WhatsApp Cloud needs WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TOKEN")
    base = str(config.get("WHATSAPP_API_URL") or "").rstrip("/")
    body = {
        "messaging_product": "whatsapp",
        "to": message.recipient.lstrip("+"),
        "type": "template",
        "biz_opaque_callback_data": str(message.id),
        "template": {
            "name": config.get("WHATSAPP_TEMPLATE") or "lms_message",
            "language": {"code": message.language or "en"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": sms_text(message)}]}
            ],
        },
    }
    answer = post(
        f"{base}/{number_id}/messages",
        setting="LMS_WHATSAPP_API_URL",
        headers={"Authorization": f"Bearer {token}"},
        json_body=body,
        what="WhatsApp Cloud API",
    )
    messages = answer.get("messages") if isinstance(answer, dict) else None
    if messages and isinstance(messages, list) and isinstance(messages[0], dict):
        return str(messages[0].get("id") or "")[:200] or None
    return None
