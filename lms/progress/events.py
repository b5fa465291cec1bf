"""Events the progress package publishes: a lesson done, a course completed."""

from __future__ import annotations

from dataclasses import dataclass

from lms.cohorts.models import Enrolment
from lms.courses.engine import Course, Lesson


@dataclass(frozen=True)
class LessonCompleted:
    enrolment: Enrolment
    course: Course
    lesson: Lesson


@dataclass(frozen=True)
class EnrolmentCompleted:
    enrolment: Enrolment
    course: Course
