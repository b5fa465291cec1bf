"""The issuer's Ed25519 signing keys: current and earlier, private halves kept off the database.

The database (`SigningKey`) publishes the public keys, in the order they were made; the
private keys live as `instance/signing-keys/<public key>.key` (mode 0600) or in
`LMS_SIGNING_KEY` (Multikey `z3u2...` values separated by spaces or commas), so a
database dump never holds them. A certificate is signed with the newest key made before
it was issued; rotation adds a key and keeps the old ones for verification.
"""

from __future__ import annotations

import base64
import json
import os
import re
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from flask import current_app
from sqlalchemy import select

from lms.audit.services import record
from lms.clock import utcnow_naive
from lms.credentials import dataintegrity as di
from lms.credentials.models import SigningKey
from lms.errors import ServiceError
from lms.extensions import db

EXPORT_FORMAT = "lms-signing-keys/1"


class KeyUnavailable(Exception):
    """The published key's private half is not on this server."""


def keys_dir() -> Path:
    return Path(current_app.instance_path) / "signing-keys"


def _env_keys() -> list[Ed25519PrivateKey]:
    value = current_app.config.get("SIGNING_KEY") or ""
    return [di.parse_private_multikey(part) for part in re.split(r"[\s,]+", value) if part]


def _file_keys() -> list[tuple[float, Ed25519PrivateKey]]:
    folder = keys_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.key")):
        found.append((path.stat().st_mtime, di.parse_private_multikey(path.read_text())))
    return sorted(found, key=lambda pair: pair[0])


def private_keys() -> dict[str, Ed25519PrivateKey]:
    """Every private key this server holds, by public Multikey."""
    keys = [key for _, key in _file_keys()] + _env_keys()
    return {di.public_multikey(key.public_key()): key for key in keys}


def _write_private(key: Ed25519PrivateKey) -> Path:
    folder = keys_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{di.public_multikey(key.public_key())}.key"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(di.private_multikey(key) + "\n")
    return path


def published() -> list[SigningKey]:
    """The published keys, oldest first."""
    return list(
        db.session.scalars(select(SigningKey).order_by(SigningKey.created_at, SigningKey.id))
    )


def ensure() -> bool:
    """Publish every private key held here that is not yet published; make one if none.

    Returns True when it added a row (the caller commits).
    """
    known = {key.public_key for key in published()}
    held = [key for _, key in _file_keys()] + _env_keys()
    added = False
    for key in held:
        public = di.public_multikey(key.public_key())
        if public not in known:
            db.session.add(SigningKey(public_key=public, created_at=utcnow_naive()))
            known.add(public)
            added = True
    if not known:
        key = Ed25519PrivateKey.generate()
        _write_private(key)
        db.session.add(
            SigningKey(public_key=di.public_multikey(key.public_key()), created_at=utcnow_naive())
        )
        added = True
    if added:
        db.session.flush()
    return added


def key_for(when: datetime | None = None) -> tuple[SigningKey, Ed25519PrivateKey]:
    """The key to sign with: the newest made at or before `when` (default: the newest)."""
    keys = published()
    if not keys:
        raise KeyUnavailable("no signing key is published yet")
    chosen = keys[0]
    for key in keys:
        if when is None or key.created_at <= when:
            chosen = key
    private = private_keys().get(chosen.public_key)
    if private is None:
        raise KeyUnavailable(
            f"the private key of {chosen.public_key} is not on this server "
            "(instance/signing-keys or LMS_SIGNING_KEY); move it with `lms keys export`/`import`"
        )
    return chosen, private


def rotate(actor) -> SigningKey:
    """Make a new current key; earlier keys stay published so their credentials verify."""
    ensure()
    now = utcnow_naive()
    for key in published():
        if key.retired_at is None:
            key.retired_at = now
    private = Ed25519PrivateKey.generate()
    _write_private(private)
    key = SigningKey(public_key=di.public_multikey(private.public_key()), created_at=now)
    db.session.add(key)
    db.session.flush()
    record("keys.rotate", actor, key, public_key=key.public_key)
    return key


def _derive(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))


def export(passphrase: str) -> str:
    """Every published key whose private half is here, encrypted (scrypt + AES-GCM)."""
    if len(passphrase) < 8:
        raise ServiceError("The passphrase must have at least 8 characters.")
    held = private_keys()
    entries = [
        {
            "public": key.public_key,
            "private": di.private_multikey(held[key.public_key]),
            "created_at": key.created_at.isoformat(),
            "retired_at": key.retired_at.isoformat() if key.retired_at else None,
        }
        for key in published()
        if key.public_key in held
    ]
    salt, nonce = os.urandom(16), os.urandom(12)
    plain = json.dumps(entries).encode("utf-8")
    sealed = AESGCM(_derive(passphrase, salt)).encrypt(nonce, plain, EXPORT_FORMAT.encode())
    encode = lambda data: base64.b64encode(data).decode("ascii")  # noqa: E731
    return json.dumps(
        {
            "format": EXPORT_FORMAT,
            "kdf": "scrypt-n32768-r8-p1",
            "salt": encode(salt),
            "nonce": encode(nonce),
            "ciphertext": encode(sealed),
        },
        indent=2,
    )


def import_(text: str, passphrase: str) -> int:
    """Store the exported keys here and publish any not yet published; returns how many."""
    try:
        box = json.loads(text)
        if box.get("format") != EXPORT_FORMAT:
            raise ValueError
        salt, nonce, sealed = (base64.b64decode(box[k]) for k in ("salt", "nonce", "ciphertext"))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ServiceError("This is not a key export of this program.") from None
    try:
        plain = AESGCM(_derive(passphrase, salt)).decrypt(nonce, sealed, EXPORT_FORMAT.encode())
    except InvalidTag:
        raise ServiceError("Wrong passphrase (or the file was changed).") from None
    known = {key.public_key: key for key in published()}
    for entry in json.loads(plain):
        private = di.parse_private_multikey(entry["private"])
        _write_private(private)
        if entry["public"] not in known:
            retired = entry.get("retired_at")
            db.session.add(
                SigningKey(
                    public_key=entry["public"],
                    created_at=datetime.fromisoformat(entry["created_at"]),
                    retired_at=datetime.fromisoformat(retired) if retired else None,
                )
            )
    db.session.flush()
    return len(json.loads(plain))
