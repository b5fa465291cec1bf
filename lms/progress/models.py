"""`LessonCompletion`: a lesson marked done, keyed by the lesson's stable slug."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.clock import utcnow_naive
from lms.extensions import db


class LessonCompletion(db.Model):
    __tablename__ = "lesson_completions"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "lesson_slug"),
        Index("ix_lesson_completions_slug_enrolment", "lesson_slug", "enrolment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    lesson_slug: Mapped[str] = mapped_column(String(100))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
