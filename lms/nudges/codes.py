"""Sign-in by a one-time code sent to a phone (`/login/code`), for trainees who registered
with a mobile number: six digits, valid 10 minutes, 5 tries, stored as an HMAC (never the
code), each new code ending the earlier ones. Requests are throttled per number and
address by the page; the answer never says whether the number has an account."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from lms.audit.services import record
from lms.auth.models import User
from lms.auth.services import find_user
from lms.clock import utcnow_naive
from lms.errors import ServiceError
from lms.extensions import db
from lms.nudges import texts
from lms.nudges.models import LoginCode
from lms.outbox.services import queue_message
from lms.people.events import PersonErased

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5


def _digest(user_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"login-code:{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(login: str) -> None:
    """Queue a code to the account with this phone number, if there is one."""
    user = find_user(login)
    if user is None or not user.phone or not user.active or "@" in login:
        record("login_code.unknown", None, None)
        return
    now = utcnow_naive()
    db.session.execute(
        update(LoginCode)
        .where(LoginCode.user_id == user.id, LoginCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.session.add(
        LoginCode(user_id=user.id, code_hash=_digest(user.id, code), expires_at=now + CODE_TTL)
    )
    channel = "whatsapp" if user.message_channel == "whatsapp" else "sms"
    text = texts.render(
        "login.code", user.language, channel, site=current_app.config["SITE_NAME"], code=code
    )
    queue_message(
        kind="login.code", recipient=user.phone, subject=text.subject, body=text.body,
        channel=channel, user_id=user.id, language=user.language,
    )  # fmt: skip
    record("login_code.sent", None, user)


def check_code(login: str, code: str) -> User:
    """The user whose latest code this is; ServiceError (tries counted) otherwise."""
    wrong = ServiceError(_("This code is not right or has expired. Ask for a new one."),
                         field="code", keep_changes=True)  # fmt: skip
    user = find_user(login)
    if user is None or not user.active:
        raise wrong
    found = db.session.scalar(
        select(LoginCode)
        .where(LoginCode.user_id == user.id, LoginCode.used_at.is_(None))
        .order_by(LoginCode.id.desc())
        .with_for_update()
    )
    if found is None or found.expires_at < utcnow_naive() or found.attempts >= MAX_ATTEMPTS:
        raise wrong
    if not hmac.compare_digest(found.code_hash, _digest(user.id, "".join(code.split()))):
        found.attempts += 1
        record("login_code.wrong", None, user)
        raise wrong
    found.used_at = utcnow_naive()
    record("login_code.used", user, user)
    return user


def on_person_erased(event: PersonErased) -> None:
    """Subscriber: an erased person's sign-in codes go."""
    db.session.execute(LoginCode.__table__.delete().where(LoginCode.user_id == event.user_id))
