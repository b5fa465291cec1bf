"""Loading the signed-in user from the session, checking the per-user session version.

Most pages load the `User` entity. A hot page may register its own loader for its
endpoint (`register_user_loader`): one query that reads the user's row together with
what the page needs, returning a `SignedInUser` (the columns pages and permission checks
read, no ORM entity) after the same checks (active, session version).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, has_request_context, request
from flask_babel import lazy_gettext as _l

from lms.auth.models import User
from lms.extensions import db, login_manager

LOADERS = "lms.user_loaders"


@dataclass(frozen=True)
class SignedInUser:
    """A signed-in user as one Core row: enough for pages, the header and permissions."""

    id: int
    name: str
    role: str
    language: str
    active: bool
    session_version: int
    organisation_id: int | None

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def is_current(self, version: int) -> bool:
        """Active and signed in with the current session version."""
        return self.active and self.session_version == version


UserLoader = Callable[[int, int], "User | SignedInUser | None"]


def register_user_loader(app: Flask, endpoint: str, loader: UserLoader) -> None:
    """Load the user of `endpoint`'s requests with `loader(user_id, session_version)`,
    which returns None for an unknown, disabled or signed-out user."""
    app.extensions.setdefault(LOADERS, {})[endpoint] = loader


def load_user(session_id: str) -> User | SignedInUser | None:
    """Session ids are `<user id>:<session version>`; a stale version signs the user out."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    if has_request_context():
        loader = current_app.extensions.get(LOADERS, {}).get(request.endpoint)
        if loader is not None:
            return loader(int(user_id), int(version))
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
