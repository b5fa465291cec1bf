"""What the system holds about one person (JSON), erasure, and retention.

Erasing replaces the person by an anonymous placeholder on the same row: enrolments,
progress and attempts stay (so report counts stay right) but no longer name anyone;
password, logins, profile and sessions are gone, and their certificates are revoked
("withdrawn: personal data erased"), so verification no longer shows the name. Admins
(and the CLI) only; every step is audited. Services flush; the caller commits.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, select, update

from lms.audit.models import AuditEntry
from lms.audit.services import record
from lms.auth.models import PasswordToken, User
from lms.auth.services import end_sessions
from lms.certificates.models import Certificate
from lms.certificates.services import revoke
from lms.clock import utcnow_naive
from lms.cohorts.models import Cohort, Enrolment
from lms.errors import ServiceError
from lms.events import publish
from lms.extensions import db
from lms.outbox.models import CANCELLED, PERSON_CHANNELS, QUEUED, SENDING, OutboxMessage
from lms.people.events import PersonErased
from lms.people.models import DeletionRequest
from lms.people.requests import close_requests
from lms.permissions import ensure, is_admin
from lms.progress.models import LessonCompletion
from lms.quizzes.models import QuizAttempt

ERASED_NAME = "Erased person"
WITHDRAWN = "withdrawn: personal data erased"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data(actor: User, person: User) -> dict[str, Any]:
    """Everything held about `person`, for the person themself or an admin."""
    ensure(actor.id == person.id or is_admin(actor), "only the person or an admin")
    enrolments = list(db.session.scalars(select(Enrolment).where(Enrolment.user_id == person.id)))
    ids = [e.id for e in enrolments]
    completions = db.session.scalars(
        select(LessonCompletion).where(LessonCompletion.enrolment_id.in_(ids))
    )
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.enrolment_id.in_(ids)))
    certificates = db.session.scalars(select(Certificate).where(Certificate.enrolment_id.in_(ids)))
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == person.id))
    asked = db.session.scalars(select(DeletionRequest).where(DeletionRequest.user_id == person.id))
    record("person.export", actor, person)
    return {
        "account": {
            "id": person.id, "name": person.name, "email": person.email, "phone": person.phone,
            "role": person.role, "language": person.language, "created_at": _iso(person.created_at),
            "last_seen_at": _iso(person.last_seen_at), "gender": person.gender,
            "age_band": person.age_band, "district": person.district,
            "profile_consent": person.profile_consent,
        },
        "enrolments": [
            {"cohort": e.cohort.name, "course": e.cohort.course_slug, "status": e.status,
             "joined_at": _iso(e.joined_at), "last_active_at": _iso(e.last_active_at)}
            for e in enrolments
        ],
        "lessons_completed": [
            {"enrolment": c.enrolment_id, "lesson": c.lesson_slug, "at": _iso(c.completed_at)}
            for c in completions
        ],
        "quiz_attempts": [
            {"enrolment": a.enrolment_id, "quiz": a.quiz_key, "answers": a.answers,
             "score": float(a.score), "submitted_at": _iso(a.submitted_at)}
            for a in attempts
        ],
        "certificates": [
            {"code": c.code, "holder_name": c.holder_name, "course": c.course_title,
             "status": c.status, "issued_at": _iso(c.issued_at)}
            for c in certificates
        ],
        "actions": [
            {"action": e.action, "at": _iso(e.at)} for e in audit
        ],
        "deletion_requests": [
            {"status": r.status, "requested_at": _iso(r.requested_at),
             "closed_at": _iso(r.closed_at)}
            for r in asked
        ],
    }  # fmt: skip


def erase(actor: User, person: User) -> None:
    """Replace `person` by an anonymous placeholder (admins only; not staff accounts)."""
    ensure(is_admin(actor), "only admins erase people")
    ensure(person.role == "trainee", "staff accounts are disabled, not erased")
    for certificate in db.session.scalars(
        select(Certificate)
        .join(Enrolment)
        .where(Enrolment.user_id == person.id, Certificate.status == "valid")
    ):
        revoke(actor, certificate, WITHDRAWN)
    for certificate in db.session.scalars(
        select(Certificate).join(Enrolment).where(Enrolment.user_id == person.id)
    ):
        certificate.holder_name = ERASED_NAME
    db.session.execute(PasswordToken.__table__.delete().where(PasswordToken.user_id == person.id))
    _scrub_messages(person)
    person.name = ERASED_NAME
    person.email = (
        f"erased-{person.id}@erased.invalid"  # a login is required; .invalid never delivers
    )
    person.phone = None
    person.password_hash = None
    person.gender = person.age_band = person.district = None
    person.profile_consent = False
    person.active = False
    end_sessions(person)
    record("person.erase", actor, person, requests=close_requests(actor, person) or None)
    publish(PersonErased(person.id))


def _scrub_messages(person: User) -> None:
    """Messages to the person keep their kind, channel and status (report counts) but lose
    the address and text; those not sent yet are cancelled."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.user_id == person.id, OutboxMessage.channel.in_(PERSON_CHANNELS))
        .values(
            status=case(
                (OutboxMessage.status.in_((QUEUED, SENDING)), CANCELLED),
                else_=OutboxMessage.status,
            ),
            recipient="erased",
            subject="",
            body="",
        )
    )


def is_erased(person: User) -> bool:
    return (person.email or "").endswith("@erased.invalid")


def erasable(actor: User, person: User) -> bool:
    """Whether the admin pages offer to erase `person` (admins only ask)."""
    ensure(is_admin(actor), "only admins erase people")
    return person.role == "trainee" and not is_erased(person)


def _typed(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def erase_confirmed(actor: User, person: User, typed: str | None) -> User:
    """The admin page's erase: only once the admin typed the person's name or e-mail."""
    ensure(is_admin(actor), "only admins erase people")
    if is_erased(person):
        raise ServiceError(_("This person was already erased."))
    names = {_typed(value) for value in (person.name, person.email, person.phone) if value}
    if _typed(typed) not in names:
        raise ServiceError(
            _("Type the person's name or e-mail exactly as shown to confirm."), field="confirm"
        )
    erase(actor, person)
    return person


def retention_candidates(days: int) -> list[User]:
    """Trainees not erased yet whose every cohort ended over `days` ago and who have not
    been seen for as long."""
    cutoff = utcnow_naive() - timedelta(days=days)
    ended = (
        select(Enrolment.user_id)
        .join(Cohort)
        .group_by(Enrolment.user_id)
        .having(func.count() == func.count(Cohort.end_date))  # every cohort has ended...
        .having(func.max(Cohort.end_date) < cutoff.date())  # ...long enough ago
    )
    query = select(User).where(
        User.role == "trainee",
        User.id.in_(ended),
        ~User.email.like("%@erased.invalid"),
        (User.last_seen_at.is_(None)) | (User.last_seen_at < cutoff),
    )
    return list(db.session.scalars(query.order_by(User.id)))
