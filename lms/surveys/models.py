"""Survey rows, kept apart so answers cannot be traced to a person.

`SurveySubmission` only records that an enrolment answered (so nobody answers twice);
`SurveyAnswer` holds the answers by cohort and question, with no enrolment, user or time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.clock import utcnow_naive
from lms.extensions import db


class SurveySubmission(db.Model):
    """That an enrolment has answered its course's survey (never what it answered)."""

    __tablename__ = "survey_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), unique=True
    )
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow_naive)


class SurveyAnswer(db.Model):
    """One answer to one survey question: a choice index, a rating, or free text."""

    __tablename__ = "survey_answers"
    __table_args__ = (Index("ix_survey_answers_cohort_question", "cohort_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[int | None]  # the rating, or the index of the chosen choice
    text: Mapped[str | None] = mapped_column(Text)
