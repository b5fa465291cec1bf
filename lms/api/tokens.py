"""Token rules: create (the token is shown once, only its hash is kept), list, revoke,
and authenticate a `Bearer` token. Scopes: read, enrol, submit, report, admin (admin
grants every scope). Tokens expire (90 days unless told otherwise)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from lms.api.models import ApiToken
from lms.audit.services import record
from lms.auth.models import User
from lms.clock import utcnow_naive
from lms.errors import ServiceError
from lms.extensions import db
from lms.people.events import PersonErased
from lms.permissions import NotFound, ensure, is_admin

SCOPES = ("read", "enrol", "submit", "report", "admin")
PREFIX = "lms_"
DEFAULT_DAYS = 90
MAX_DAYS = 366


def token_hash(token: str) -> str:
    """A token has 256 random bits, so a plain SHA-256 is as good as a slow hash here."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the token itself: shown once, never stored


def _may_manage(actor: User, owner: User) -> bool:
    return is_admin(actor) or getattr(actor, "id", None) == owner.id


def create_token(
    actor: User,
    owner: User,
    name: str,
    scopes: list[str] | tuple[str, ...] = ("read",),
    days: int = DEFAULT_DAYS,
) -> NewToken:
    """A new token for `owner` (themselves, or anyone for an admin)."""
    ensure(_may_manage(actor, owner))
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ServiceError(_("Please name the token (up to 100 characters)."), field="name")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ServiceError(
            _("Choose scopes among %(scopes)s.", scopes=", ".join(SCOPES)), field="scopes"
        )
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(_("A token lasts from 1 to %(days)d days.", days=MAX_DAYS), field="days")
    if any(t.name == name for t in active_tokens(actor, owner)):
        raise ServiceError(_("You already have a token with this name."), field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=owner.id,
        name=name,
        token_hash=token_hash(secret),
        prefix=secret[: len(PREFIX) + 6],
        scopes=[scope for scope in SCOPES if scope in scopes],
        created_at=utcnow_naive(),
        expires_at=utcnow_naive() + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record("token.create", actor, token, name=name, user_id=owner.id, scopes=token.scopes)
    return NewToken(token, secret)


def active_tokens(actor: User, owner: User) -> list[ApiToken]:
    """The owner's tokens that are neither revoked nor expired, newest first."""
    ensure(_may_manage(actor, owner))
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == owner.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > utcnow_naive(),
            )
            .order_by(ApiToken.id.desc())
        )
    )


def revoke_token(actor: User, owner: User, name: str) -> ApiToken:
    """Revoke the owner's active token of this name; it answers 401 from now on."""
    token = next((t for t in active_tokens(actor, owner) if t.name == name), None)
    if token is None:
        raise NotFound()
    token.revoked_at = utcnow_naive()
    record("token.revoke", actor, token, name=token.name, user_id=owner.id)
    return token


def authenticate(secret: str) -> ApiToken | None:
    """The active token with this value whose owner may sign in, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow_naive():
        return None
    if not token.user.active:
        return None
    return token


def allows(token: ApiToken, scopes: tuple[str, ...]) -> bool:
    """True when the token has one of `scopes` (or `admin`); an empty tuple needs none."""
    return not scopes or "admin" in token.scopes or any(s in token.scopes for s in scopes)


def record_use(token: ApiToken, method: str, path: str) -> None:
    """Every use is audited with the token's name."""
    token.last_used_at = utcnow_naive()
    record("api.request", token.user, token, name=token.name, method=method, path=path[:200])


def on_person_erased(event: PersonErased) -> None:
    """Subscriber: an erased person's tokens stop working at once."""
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == event.user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow_naive())
    )
