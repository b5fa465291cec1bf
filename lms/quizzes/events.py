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
