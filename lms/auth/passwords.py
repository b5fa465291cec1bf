"""Password hashing (Argon2id, memory-hard) and the rules a new password must meet."""

from __future__ import annotations

import functools
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 200
_hasher = PasswordHasher()
# Verified against when the account does not exist, so both cases take the same time.
# Made on first use, not at import: hashing costs Argon2's full time and start-up is budgeted.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; always does the work of one hash check."""
    try:
        matches = _hasher.verify(password_hash or _dummy_hash(), password)
        return matches and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, *personal: str) -> str | None:
    """Why `password` is not acceptable, or None. `personal` holds the user's name and login."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(num)d characters.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(num)d characters.", num=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 3:
        return _("This password is too common. Try a few random words joined together.")
    if any(part in lowered for part in _personal_parts(personal)):
        return _("Do not use your name, e-mail or phone number in your password.")
    return None


def _personal_parts(values: tuple[str, ...]) -> set[str]:
    """Pieces of the name, e-mail and phone a guesser would try first."""
    parts: set[str] = set()
    for value in values:
        value = (value or "").lower().strip()
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) >= 7:
            parts.add(digits[-7:])
        local = value.split("@")[0]
        parts.update(
            word for word in [local, value.replace(" ", ""), *value.split()] if len(word) >= 4
        )
    return parts
