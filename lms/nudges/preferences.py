"""Consent: which channel reaches a person, and whether they want messages at all.

A trainee chooses a channel (SMS, WhatsApp, e-mail, among the logins they have) or turns
messages off in the profile; `STOP`, `BERHENTI` or `بند` by SMS or WhatsApp, or the
unsubscribe link in an e-mail, turns them off too. Every change is audited. Someone who
opted out gets only what they ask for (a password or sign-in code): the outbox gate
cancels anything else at the moment of sending, retries included.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from lms.audit.services import record
from lms.auth.identity import InvalidLogin, normalise_phone
from lms.auth.models import User
from lms.clock import utcnow_naive
from lms.extensions import db
from lms.outbox.models import PERSON_CHANNELS, OutboxMessage
from lms.permissions import ensure, is_admin

CHANNELS = ("sms", "whatsapp", "email")
STOP_WORDS = {"STOP", "BERHENTI", "بند", "UNSUBSCRIBE", "BATAL"}
START_WORDS = {"START", "MULAI", "شروع"}
ESSENTIAL = ("password.", "login.")  # kinds someone who opted out still gets (they asked)


def available_channels(user: User) -> list[str]:
    channels = ["sms", "whatsapp"] if user.phone else []
    return [*channels, "email"] if user.email else channels


def channel_of(user: User) -> str | None:
    """The channel messages to `user` use: their choice, else their login's own."""
    available = available_channels(user)
    if user.message_channel in available:
        return user.message_channel
    return available[0] if available else None


def address(user: User, channel: str) -> str:
    return (user.email if channel == "email" else user.phone) or ""


def messages_on(user: User) -> bool:
    return user.messages_off_at is None


def set_preferences(actor: Any, user: User, channel: str | None, on: bool) -> None:
    """The profile's choice: a channel among the person's logins, and on or off."""
    ensure(bool(actor and actor.is_authenticated and (actor.id == user.id or is_admin(actor))))
    if channel and channel in available_channels(user) and channel != user.message_channel:
        user.message_channel = channel
        record("messages.channel", actor, user, channel=channel)
    if on and not messages_on(user):
        user.messages_off_at = None
        record("messages.opt_in", actor, user, via="profile")
    elif not on and messages_on(user):
        opt_out(user, via="profile", actor=actor)
    db.session.flush()


def opt_out(user: User, via: str, actor: Any = None) -> bool:
    """Turn messages off; False when they already were."""
    if not messages_on(user):
        return False
    user.messages_off_at = utcnow_naive()
    record("messages.opt_out", actor, user, via=via)
    db.session.flush()
    return True


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="lms.unsubscribe")


def unsubscribe_token(user: User) -> str:
    return _serializer().dumps(user.id)


def user_for_token(token: str) -> User | None:
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def user_for_phone(raw: str) -> User | None:
    try:
        region = current_app.config.get("DEFAULT_COUNTRY", "PK")
        phone = normalise_phone(raw.removeprefix("whatsapp:"), region)
    except InvalidLogin:
        return None
    return db.session.scalar(select(User).where(User.phone == phone))


def handle_reply(sender: str, text: str, via: str) -> str | None:
    """An inbound SMS/WhatsApp: STOP words opt out, START words opt back in."""
    user = user_for_phone(sender or "")
    word = " ".join(str(text or "").split()).upper()
    if user is None or not word:
        return None
    if word in STOP_WORDS:
        opt_out(user, via=via)
        return "opted out"
    if word in START_WORDS and not messages_on(user):
        user.messages_off_at = None
        record("messages.opt_in", None, user, via=via)
        return "opted in"
    return None


def delivery_gate(message: OutboxMessage) -> str | None:
    """The outbox asks just before sending: cancel messages to someone who opted out.

    Only messages that reach the person: webhooks and learning records concern them but
    go to systems, so an opt-out does not stop those."""
    if message.channel not in PERSON_CHANNELS:
        return None
    if message.user_id is None or message.kind.startswith(ESSENTIAL):
        return None
    user = db.session.get(User, message.user_id)
    if user is not None and not messages_on(user):
        return "opted out"
    return None
