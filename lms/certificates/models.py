"""`Certificate`: what was certified, to whom, when; verifiable and revocable.

It records the holder's name and course title as they were at issue, so the PDF can be
rebuilt from the database at any time. At most one valid certificate per enrolment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow_naive
from lms.cohorts.models import Enrolment
from lms.extensions import db


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        Index(
            "uq_certificates_valid_enrolment",
            "enrolment_id",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="RESTRICT"), index=True
    )
    holder_name: Mapped[str] = mapped_column(String(200))
    course_slug: Mapped[str] = mapped_column(String(100))
    course_title: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    cohort_name: Mapped[str] = mapped_column(String(200))
    sponsor_name: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(200))
    signatories: Mapped[list] = mapped_column(db.JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="en")
    completed_at: Mapped[datetime]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
    status: Mapped[str] = mapped_column(
        String(20), default="valid", index=True
    )  # valid|revoked|superseded
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(500))
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL")
    )
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    enrolment: Mapped[Enrolment] = relationship()
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])
