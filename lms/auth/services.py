"""Account rules: registration, sign-in, passwords, password tokens, roles.

Services flush and return; the caller (view or command) commits once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.audit.services import record
from lms.auth.identity import InvalidLogin, parse_login
from lms.auth.models import ROLES, Organisation, PasswordToken, User
from lms.auth.passwords import hash_password, password_problem, verify_password
from lms.clock import utcnow_naive
from lms.errors import ServiceError
from lms.extensions import db
from lms.outbox.services import queue_message
from lms.permissions import ensure, is_admin, require_role
from lms.public import external_url

RESET_TTL = timedelta(hours=2)
WELCOME_TTL = timedelta(days=14)
MAX_CODE_ATTEMPTS = 5


def default_region() -> str:
    return current_app.config.get("DEFAULT_COUNTRY", "PK")


def find_user(login: str, region: str | None = None) -> User | None:
    """The user with this e-mail or phone (as typed), or None."""
    try:
        kind, value = parse_login(login, region or default_region())
    except InvalidLogin:
        return None
    column = User.email if kind == "email" else User.phone
    return db.session.scalar(select(User).where(column == value))


def _login_fields(login: str, region: str) -> dict[str, str]:
    try:
        kind, value = parse_login(login, region)
    except InvalidLogin as exc:
        raise ServiceError(str(exc), field="login") from None
    return {kind: value}


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_("Please enter your name."), field="name")
    if len(name) > 200:
        raise ServiceError(_("Please use at most 200 characters."), field="name")
    return name


def create_user(
    *,
    name: str,
    login: str,
    password: str | None,
    role: str = "trainee",
    language: str = "en",
    organisation: Organisation | None = None,
    region: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an account; `password=None` leaves it to be set through a welcome link."""
    if role not in ROLES:
        raise ServiceError(_("Unknown role."), field="role")
    if role != "trainee" and actor is not None:
        ensure(is_admin(actor), "only admins create staff accounts")
    name = _check_name(name)
    fields = _login_fields(login, region or default_region())
    column, value = (
        (User.email, fields["email"]) if "email" in fields else (User.phone, fields["phone"])
    )
    if db.session.scalar(select(func.count()).select_from(User).where(column == value)):
        raise ServiceError(
            _("An account with this login already exists. Please sign in."), field="login"
        )
    if password is not None:
        problem = password_problem(password, name, login)
        if problem:
            raise ServiceError(problem, field="password")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["LANGUAGES"][0]
    user = User(
        name=name,
        role=role,
        language=language,
        password_hash=hash_password(password) if password is not None else None,
        organisation=organisation,
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    record("user.create", actor, user, role=role)
    return user


def authenticate(login: str, password: str) -> User | None:
    """The active user for these credentials, or None; same work whether or not it exists."""
    user = find_user(login)
    matches = verify_password(user.password_hash if user else None, password)
    if user is None or not matches or not user.active:
        record("login.failed", user, user)
        return None
    record("login", user, user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ServiceError(_("Your current password is not right."), field="current")
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    """Set a new password and end every other session of this user."""
    problem = password_problem(new, user.name, user.email or "", user.phone or "")
    if problem:
        raise ServiceError(problem, field="password")
    user.password_hash = hash_password(new)
    end_sessions(user)
    record("password.change", user, user)


def update_profile(
    user: User,
    *,
    language: str,
    consent: bool,
    gender: str,
    age_band: str,
    district: str,
    monthly_report: bool | None = None,
) -> None:
    """The optional profile used for report breakdowns; without consent it is cleared.
    A sponsor also chooses whether the monthly summary comes by e-mail (others cannot)."""
    if user.role == "sponsor" and monthly_report is not None:
        user.monthly_report = bool(monthly_report)
    if language in current_app.config["LANGUAGES"]:
        user.language = language
    user.profile_consent = consent
    user.gender = (gender or None) if consent else None
    user.age_band = (age_band or None) if consent else None
    user.district = (" ".join((district or "").split())[:100] or None) if consent else None


def end_sessions(user: User) -> None:
    """Invalidate every session cookie of `user` (checked on each request)."""
    user.session_version = (user.session_version or 1) + 1


def get_or_create_organisation(name: str, actor: User) -> Organisation:
    """The organisation of this name, created if new: admins (and the CLI) only."""
    ensure(is_admin(actor), "only admins create organisations")
    name = " ".join(name.split())
    if not name:
        raise ServiceError(_("Please enter a name."), field="name")
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name)
        db.session.add(organisation)
        db.session.flush()
        record("organisation.create", actor, organisation, name=name)
    return organisation


def organisation_choices(actor: User) -> list[Organisation]:
    """The organisations staff choose a cohort's sponsor from: instructors and admins."""
    require_role(actor, "instructor", "admin")
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def chosen_organisation(actor: User, organisation_id: int | None) -> Organisation | None:
    """An existing organisation picked from a list (None for none); never creates one."""
    require_role(actor, "instructor", "admin")
    if not organisation_id:
        return None
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise ServiceError(_("Choose an organisation from the list."), field="organisation")
    return organisation


def named_organisation(actor: User, name: str) -> Organisation:
    """An organisation given by name (the API's cohort sponsor): an existing one for
    instructors, created if new only for admins, as on the cohort form."""
    if is_admin(actor):
        return get_or_create_organisation(name, actor)
    require_role(actor, "instructor")
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.name == " ".join(name.split()))
    )
    if organisation is None:
        raise ServiceError(
            _("There is no organisation of this name; an admin adds organisations."),
            field="organisation",
        )
    return organisation


def instructor_choices(actor: User) -> list[User]:
    """The instructors a cohort's teachers are assigned from (active accounts)."""
    require_role(actor, "instructor", "admin")
    query = select(User).where(User.role == "instructor", User.active.is_(True))
    return list(db.session.scalars(query.order_by(func.lower(User.name), User.id)))


def set_role(actor: User, user: User, role: str, organisation: Organisation | None = None) -> None:
    """Only admins change roles; a sponsor belongs to an organisation."""
    ensure(is_admin(actor), "only admins change roles")
    if role not in ROLES:
        raise ServiceError(_("Unknown role."), field="role")
    if role == "sponsor" and organisation is None:
        raise ServiceError(_("A sponsor must belong to an organisation."), field="organisation")
    before = user.role
    user.role = role
    user.organisation = organisation if role == "sponsor" else user.organisation
    if before != role:
        end_sessions(user)
        record("user.role", actor, user, before=before, after=role)


def set_active(actor: User, user: User, active: bool) -> None:
    ensure(is_admin(actor), "only admins disable accounts")
    if actor.id == user.id and not active:
        raise ServiceError(_("You cannot disable your own account."))
    if user.active != active:
        user.active = active
        end_sessions(user)
        record("user.enable" if active else "user.disable", actor, user)


# -- one-time password links and codes -------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    user: User
    token: str  # goes in the link
    code: str  # six digits, for SMS or reading aloud
    purpose: str = "reset"

    @property
    def link(self) -> str:
        return external_url("auth.reset_with_token", token=self.token)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def issue_token(user: User, purpose: str = "reset", actor: User | None = None) -> IssuedToken:
    """A new one-time link and code for `user`; earlier unused ones stop working."""
    now = utcnow_naive()
    for old in db.session.scalars(
        select(PasswordToken).where(
            PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    ttl = WELCOME_TTL if purpose == "welcome" else RESET_TTL
    db.session.add(
        PasswordToken(
            user_id=user.id,
            token_hash=_digest(token),
            code_hash=_digest(f"{user.id}:{code}"),
            purpose=purpose,
            expires_at=now + ttl,
            created_by_id=getattr(actor, "id", None),
        )
    )
    db.session.flush()
    record(f"password.{purpose}_issued", actor, user)
    return IssuedToken(user=user, token=token, code=code, purpose=purpose)


def send_token(issued: IssuedToken) -> None:
    user = issued.user
    site = current_app.config["SITE_NAME"]
    body = _(
        "Set your password here: %(link)s\nOr enter this code on the site: %(code)s\n"
        "If you did not ask for this, ignore this message.",
        link=issued.link,
        code=issued.code,
    )
    queue_message(
        kind=f"password.{issued.purpose}",
        recipient=user.email or user.phone or "",
        subject=_("%(site)s password", site=site),
        body=body,
        user_id=user.id,
    )


def request_reset(login: str) -> None:
    """Send a reset link and code if the account exists; say nothing either way."""
    user = find_user(login)
    if user is None or not user.active:
        record("password.reset_unknown", None, None)
        return
    send_token(issue_token(user, "reset"))


def _usable(token: PasswordToken | None) -> PasswordToken:
    if token is None or token.used_at is not None or token.expires_at < utcnow_naive():
        raise ServiceError(
            _("This link or code has expired or was already used. Ask for a new one.")
        )
    return token


def token_user(token: str) -> User:
    """The user a link token belongs to (raises ServiceError if it cannot be used)."""
    found = db.session.scalar(
        select(PasswordToken).where(PasswordToken.token_hash == _digest(token))
    )
    return _usable(found).user


def reset_with_token(token: str, new_password: str) -> User:
    found = _usable(
        db.session.scalar(select(PasswordToken).where(PasswordToken.token_hash == _digest(token)))
    )
    set_password(found.user, new_password)
    found.used_at = utcnow_naive()
    return found.user


def reset_with_code(login: str, code: str, new_password: str) -> User:
    user = find_user(login)
    token = None
    if user is not None:
        token = db.session.scalar(
            select(PasswordToken)
            .where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
            .order_by(PasswordToken.id.desc())
        )
    token = _usable(token)
    if not secrets.compare_digest(token.code_hash, _digest(f"{user.id}:{code.strip()}")):
        token.attempts += 1
        if token.attempts >= MAX_CODE_ATTEMPTS:
            token.used_at = utcnow_naive()
            raise ServiceError(
                _("Too many wrong codes. Ask for a new one."), "code", keep_changes=True
            )
        raise ServiceError(_("This code is not right."), field="code", keep_changes=True)
    set_password(user, new_password)
    token.used_at = utcnow_naive()
    return user
