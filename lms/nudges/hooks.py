"""Provider callbacks (no session, no CSRF: each is authenticated by its provider's scheme).

- `POST /hooks/sms/status` `{"reference", "status": "delivered"|"failed"}` and
  `POST /hooks/sms/inbound` `{"from", "text"}` for the generic gateway, with
  `Authorization: Bearer <SMS_GATEWAY_TOKEN>`: 204 taken, 401 without the token, 404 for an
  unknown reference.
- `POST /hooks/twilio/status` and `/hooks/twilio/inbound`, signed by Twilio
  (`X-Twilio-Signature`, HMAC-SHA1 with `TWILIO_AUTH_TOKEN`).
- `GET/POST /hooks/whatsapp`: WhatsApp Cloud's verification (`WHATSAPP_VERIFY_TOKEN`) and
  its status and message notifications, signed (`X-Hub-Signature-256` with
  `WHATSAPP_APP_SECRET`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import Blueprint, Response, abort, current_app, request

from lms.extensions import csrf, db
from lms.nudges import preferences
from lms.outbox.receipts import apply_receipt, find_by_reference

bp = Blueprint("hooks", __name__, url_prefix="/hooks")


def _done() -> Response:
    db.session.commit()
    return Response(status=204)


def _bearer_ok() -> bool:
    token = current_app.config.get("SMS_GATEWAY_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _json() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400)
    return data


@bp.post("/sms/status")
@csrf.exempt
def sms_status():
    if not _bearer_ok():
        abort(401)
    data = _json()
    message = find_by_reference(str(data.get("reference") or ""), channel="sms")
    if message is None:
        abort(404)
    if not apply_receipt(message, str(data.get("status") or ""), data.get("reason")):
        abort(400)
    return _done()


@bp.post("/sms/inbound")
@csrf.exempt
def sms_inbound():
    if not _bearer_ok():
        abort(401)
    data = _json()
    preferences.handle_reply(str(data.get("from") or ""), str(data.get("text") or ""), "sms")
    return _done()


def _twilio_ok() -> bool:
    token = current_app.config.get("TWILIO_AUTH_TOKEN") or ""
    if not token:
        return False
    public = current_app.config.get("PUBLIC_URL")
    url = f"{str(public).rstrip('/')}{request.path}" if public else request.base_url
    signed = url + "".join(f"{k}{request.form[k]}" for k in sorted(request.form))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    expected = base64.b64encode(digest).decode()
    return hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", ""))


@bp.post("/twilio/status")
@csrf.exempt
def twilio_status():
    if not _twilio_ok():
        abort(401)
    message = find_by_reference(request.form.get("MessageSid", ""))
    if message is None:
        abort(404)
    status = request.form.get("MessageStatus", "")
    if status in ("delivered", "failed", "undelivered", "read"):
        reason = request.form.get("ErrorCode")
        apply_receipt(message, "delivered" if status == "read" else status,
                      f"Twilio error {reason}" if reason else None)  # fmt: skip
    return _done()


@bp.post("/twilio/inbound")
@csrf.exempt
def twilio_inbound():
    if not _twilio_ok():
        abort(401)
    via = "whatsapp" if request.form.get("From", "").startswith("whatsapp:") else "sms"
    preferences.handle_reply(request.form.get("From", ""), request.form.get("Body", ""), via)
    return _done()


@bp.get("/whatsapp")
def whatsapp_verify():
    token = current_app.config.get("WHATSAPP_VERIFY_TOKEN") or ""
    given = request.args.get("hub.verify_token", "")
    if not token or request.args.get("hub.mode") != "subscribe":
        abort(403)
    if not hmac.compare_digest(token.encode(), given.encode()):
        abort(403)
    return Response(request.args.get("hub.challenge", ""), mimetype="text/plain")


@bp.post("/whatsapp")
@csrf.exempt
def whatsapp_events():
    secret = current_app.config.get("WHATSAPP_APP_SECRET") or ""
    digest = hmac.new(secret.encode(), request.get_data(), hashlib.sha256).hexdigest()
    given = request.headers.get("X-Hub-Signature-256", "")
    if not secret or not hmac.compare_digest(f"sha256={digest}", given):
        abort(401)
    for entry in _json().get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            _whatsapp_change((change or {}).get("value") or {})
    return _done()


def _whatsapp_change(value: dict) -> None:
    for status in value.get("statuses") or []:
        message = find_by_reference(str(status.get("id") or ""), channel="whatsapp")
        state = {"delivered": "delivered", "read": "delivered", "failed": "failed"}.get(
            str(status.get("status"))
        )
        if message is not None and state:
            errors = status.get("errors") or [{}]
            apply_receipt(message, state, str(errors[0].get("title") or "") or None)
    for inbound in value.get("messages") or []:
        text = ((inbound or {}).get("text") or {}).get("body", "")
        preferences.handle_reply("+" + str(inbound.get("from") or "").lstrip("+"), text, "whatsapp")
