"""The `User` model: identified by e-mail or mobile number, with one role."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow_naive
from lms.extensions import db

ROLES = ("trainee", "instructor", "sponsor", "admin")


class Role(enum.StrEnum):
    TRAINEE = "trainee"
    INSTRUCTOR = "instructor"
    SPONSOR = "sponsor"
    ADMIN = "admin"


class Organisation(db.Model):
    """A sponsor: its users see reports for its cohorts only."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    logo_svg: Mapped[str | None] = mapped_column(Text)  # checked by reports.logos

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="has_login"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # stored lower-case
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)  # E.164
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.TRAINEE)
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    last_seen_at: Mapped[datetime | None]
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Optional profile for report breakdowns, used only with consent.
    gender: Mapped[str | None] = mapped_column(String(20))
    age_band: Mapped[str | None] = mapped_column(String(20))
    district: Mapped[str | None] = mapped_column(String(100))
    profile_consent: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Messages (lms.nudges.preferences): the channel chosen in the profile (None: the
    # login's own, e-mail or SMS) and when messages were turned off (None: they are on).
    message_channel: Mapped[str | None] = mapped_column(String(20))
    messages_off_at: Mapped[datetime | None]
    # A sponsor's opt-in to the monthly summary by e-mail (`lms report monthly`).
    monthly_report: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    def get_id(self) -> str:
        # The version makes old session cookies invalid after logout or a password change.
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def login(self) -> str:
        return self.email or self.phone or ""

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class PasswordToken(db.Model):
    """A one-time link token and short code to set a password (reset or first login).

    Only hashes are stored, so a database leak does not hand out working links.
    """

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(20))  # "reset" or "welcome"
    created_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
