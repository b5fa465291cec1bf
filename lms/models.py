"""Imports every domain's models so the metadata (and migrations) see all tables."""

from lms.audit.models import AuditEntry
from lms.auth.models import Organisation, PasswordToken, User
from lms.cohorts.models import Cohort, Enrolment

__all__ = ["AuditEntry", "Cohort", "Enrolment", "Organisation", "PasswordToken", "User"]
