"""Events the attendance package publishes when a trainee is marked present or absent."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AttendanceMarked:
    session_id: int
    enrolment_id: int
    method: str  # "code" or "instructor"


@dataclass(frozen=True)
class AttendanceCleared:
    session_id: int
    enrolment_id: int
