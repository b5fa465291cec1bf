"""Who listens to which domain event: the whole event flow, wired in one place.

Publishers sit low (progress, quizzes, cohorts, certificates) and never import their
subscribers; this module, in the app layer, connects them. Order matters where one
subscriber's write is read by the next: report summaries are kept before completion is
evaluated, and completion before certificates are issued.
"""

from __future__ import annotations

from flask import Flask

from lms.api import tokens as api_tokens
from lms.certificates.events import CertificateIssued, CertificateRevoked
from lms.certificates.services import on_enrolment_completed
from lms.cohorts.events import EnrolmentCreated, EnrolmentWithdrawn
from lms.events import subscribe
from lms.nudges import codes as login_codes
from lms.nudges.cli import scheduled_run
from lms.nudges.preferences import delivery_gate
from lms.nudges.staff import report_section
from lms.outbox.delivery import add_gate
from lms.outbox.queue import add_schedule
from lms.outbox.senders import register_sender
from lms.people.events import PersonErased
from lms.progress.events import EnrolmentCompleted, LessonCompleted
from lms.progress.services import on_attempt_recorded as complete_on_pass
from lms.quizzes.events import AttemptRecorded
from lms.reports import summaries
from lms.reports.cli import scheduled_run as monthly_reports
from lms.reports.sections import add_section
from lms.webhooks import services as webhooks
from lms.webhooks import xapi
from lms.webhooks.sender import send_webhook


def wire_subscribers(app: Flask) -> None:
    subscribe(app, LessonCompleted, summaries.on_lesson_completed)
    subscribe(app, AttemptRecorded, summaries.on_attempt_recorded)
    subscribe(app, AttemptRecorded, complete_on_pass)
    subscribe(app, EnrolmentCompleted, on_enrolment_completed)
    # Webhooks and learning records: outbox rows, delivered by the queue after commit.
    subscribe(app, EnrolmentCreated, webhooks.on_enrolment_created)
    subscribe(app, EnrolmentWithdrawn, webhooks.on_enrolment_withdrawn)
    subscribe(app, EnrolmentCompleted, webhooks.on_enrolment_completed)
    subscribe(app, AttemptRecorded, webhooks.on_attempt_recorded)
    subscribe(app, CertificateIssued, webhooks.on_certificate_issued)
    subscribe(app, CertificateRevoked, webhooks.on_certificate_revoked)
    subscribe(app, LessonCompleted, xapi.on_lesson_completed)
    subscribe(app, AttemptRecorded, xapi.on_attempt_recorded)
    subscribe(app, EnrolmentCompleted, xapi.on_enrolment_completed)
    register_sender(app, "webhook", send_webhook)
    register_sender(app, "xapi", xapi.send_statement)
    add_gate(app, delivery_gate)  # consent, checked at the moment of sending
    add_schedule(app, scheduled_run)  # nudges every 15 minutes in `lms worker`
    add_schedule(app, monthly_reports)  # sponsors' monthly summary, on the 1st
    add_section(app, report_section)  # the nudges' effect in the reports
    # Erasure: packages above people remove the personal data they hold.
    subscribe(app, PersonErased, api_tokens.on_person_erased)
    subscribe(app, PersonErased, login_codes.on_person_erased)
