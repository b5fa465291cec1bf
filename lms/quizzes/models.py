"""`QuizAttempt` (one submitted attempt, frozen as asked) and `AttemptGrant` (extra tries).

Two unique constraints keep attempts exact under concurrency: the one-time `token` (a
resubmission finds the first attempt) and (enrolment, quiz, number) (racing submissions
cannot both take the last allowed number).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow_naive
from lms.cohorts.models import Enrolment
from lms.extensions import db


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "quiz_key", "number"),
        Index("ix_quiz_attempts_enrolment_quiz", "enrolment_id", "quiz_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    quiz_key: Mapped[str] = mapped_column(String(30))  # "day-1", "pre-test", "post-test"
    number: Mapped[int]  # 1, 2, 3 ... per enrolment and quiz
    token: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8))
    content_hash: Mapped[str] = mapped_column(String(64))
    questions: Mapped[list] = mapped_column(JSON)  # as asked: text, choices in shown order, answers
    answers: Mapped[dict] = mapped_column(JSON)  # question id -> answer given
    results: Mapped[dict] = mapped_column(JSON)  # question id -> points
    points: Mapped[Decimal] = mapped_column(Numeric(8, 4))
    max_points: Mapped[int]
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))  # percent
    pass_mark: Mapped[int]
    passed: Mapped[bool] = mapped_column(index=True)
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow_naive)

    enrolment: Mapped[Enrolment] = relationship()


class AttemptAnswer(db.Model):
    """One question of one attempt, kept in its own row so reports aggregate it in SQL."""

    __tablename__ = "attempt_answers"
    __table_args__ = (Index("ix_attempt_answers_quiz_question", "quiz_key", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True
    )
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    quiz_key: Mapped[str] = mapped_column(String(30))
    question_id: Mapped[str] = mapped_column(String(100))
    first_attempt: Mapped[bool]
    points: Mapped[Decimal] = mapped_column(Numeric(8, 4))


class AttemptGrant(db.Model):
    """An instructor allowed one more attempt at a quiz."""

    __tablename__ = "attempt_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    quiz_key: Mapped[str] = mapped_column(String(30))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow_naive)
