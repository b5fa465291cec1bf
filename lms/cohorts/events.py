"""Events the cohort package publishes when enrolments begin and end."""

from __future__ import annotations

from dataclasses import dataclass

from lms.cohorts.models import Enrolment


@dataclass(frozen=True)
class EnrolmentCreated:
    enrolment: Enrolment


@dataclass(frozen=True)
class EnrolmentWithdrawn:
    enrolment: Enrolment
