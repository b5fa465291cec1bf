"""Events the quiz package publishes: an attempt graded and stored."""

from __future__ import annotations

from dataclasses import dataclass

from lms.cohorts.models import Enrolment
from lms.courses.engine import Course
from lms.quizzes.models import QuizAttempt


@dataclass(frozen=True)
class AttemptRecorded:
    enrolment: Enrolment
    course: Course
    attempt: QuizAttempt
    # The trainee's done lessons when the publisher had them at hand (the page context),
    # so a subscriber can skip asking the database; None: not known, ask.
    done_lessons: frozenset[str] | None = None
