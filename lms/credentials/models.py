"""`SigningKey`: the issuer's published Ed25519 public keys, current and earlier.

Only the public half lives in the database (and so in its dumps); the private half lives
in the instance folder or in `LMS_SIGNING_KEY` (see `lms.credentials.keys`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.clock import utcnow_naive
from lms.extensions import db


class SigningKey(db.Model):
    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)  # Multikey z6Mk...
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    retired_at: Mapped[datetime | None]  # replaced by a newer key; still verifies
