"""Loading the signed-in user from the session, checking the per-user session version."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.auth.models import User
from lms.extensions import db, login_manager


def load_user(session_id: str) -> User | None:
    """Session ids are `<user id>:<session version>`; a stale version signs the user out."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def init_sessions(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    # Sessions are ended by the per-user version (logout, password or role change) and by
    # the idle and absolute timeouts; Flask-Login's IP/user-agent hashing adds nothing.
    login_manager.session_protection = None
