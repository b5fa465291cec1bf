"""Summary rows kept up to date as trainees work, so reports aggregate small tables.

Raw facts (lesson completions, attempts, answers) stay the source of truth;
`reports.summaries.rebuild` recomputes these rows from them at any time.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class DayProgress(db.Model):
    """One enrolment's progress in one day: lessons done, and whether the day is finished."""

    __tablename__ = "day_progress"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "day"),
        Index("ix_day_progress_cohort_day", "cohort_id", "day", "finished", "enrolment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    day: Mapped[int]
    lessons_done: Mapped[int] = mapped_column(default=0)  # required lessons
    finished: Mapped[bool] = mapped_column(default=False)


class QuizResult(db.Model):
    """One enrolment's standing on one quiz: attempts, best and first score, passed."""

    __tablename__ = "quiz_results"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "quiz_key"),
        Index(
            "ix_quiz_results_cohort_quiz", "cohort_id", "quiz_key", "best", "passed", "enrolment_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    quiz_key: Mapped[str] = mapped_column(String(30))
    attempts: Mapped[int] = mapped_column(default=0)
    best: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=0)
    first_score: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=0)
    passed: Mapped[bool] = mapped_column(default=False)


class QuestionStat(db.Model):
    """Per cohort and question: first-attempt answers and the points they scored."""

    __tablename__ = "question_stats"
    __table_args__ = (UniqueConstraint("cohort_id", "quiz_key", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    quiz_key: Mapped[str] = mapped_column(String(30))
    question_id: Mapped[str] = mapped_column(String(100))
    answers: Mapped[int] = mapped_column(default=0)
    points: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=0)


class ReportCount(db.Model):
    """A cohort's report counter: `total` under a name and label, in one of a few slots.

    Kept by database triggers (`reports.counting`) in the statement that changes a fact;
    a report sums the slots."""

    __tablename__ = "report_counts"
    __table_args__ = (UniqueConstraint("cohort_id", "name", "label", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    slot: Mapped[int]
    name: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(160))
    total: Mapped[int] = mapped_column(BigInteger)


class CompletionDays(db.Model):
    """A completed enrolment's days from joining to completing, for the exact median
    (kept by the same triggers; one narrow indexed row per completer)."""

    __tablename__ = "completion_days"
    __table_args__ = (Index("ix_completion_days_cohort_days", "cohort_id", "days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), unique=True
    )
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    days: Mapped[float | None] = mapped_column(Float)
