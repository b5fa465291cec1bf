"""Imports every domain's models so the metadata (and migrations) see all tables."""

from lms.api.models import ApiToken
from lms.attendance.models import Attendance, ClassSession
from lms.audit.models import AuditEntry
from lms.auth.models import Organisation, PasswordToken, User
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Enrolment
from lms.credentials.models import SigningKey
from lms.nudges.models import LoginCode, NudgeSend
from lms.outbox.models import OutboxMessage
from lms.people.models import DeletionRequest
from lms.progress.models import LessonCompletion
from lms.quizzes.models import AttemptAnswer, AttemptGrant, QuizAttempt
from lms.reports.models import DayProgress, QuestionStat, QuizResult
from lms.surveys.models import SurveyAnswer, SurveySubmission
from lms.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "ApiToken",
    "Webhook",
    "WebhookDelivery",
    "AttemptAnswer",
    "Attendance",
    "ClassSession",
    "AttemptGrant",
    "AuditEntry",
    "Certificate",
    "DayProgress",
    "DeletionRequest",
    "QuestionStat",
    "QuizResult",
    "SurveyAnswer",
    "SurveySubmission",
    "Cohort",
    "Enrolment",
    "LessonCompletion",
    "LoginCode",
    "NudgeSend",
    "OutboxMessage",
    "Organisation",
    "PasswordToken",
    "QuizAttempt",
    "SigningKey",
    "User",
]
