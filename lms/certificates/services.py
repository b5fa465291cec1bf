"""Certificate rules: issuing when due, approval, revocation, reissue, verification.

Issuing is idempotent: a partial unique index allows one valid certificate per enrolment.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import User
from lms.certificates import codes
from lms.certificates.events import CertificateIssued, CertificateRevoked
from lms.certificates.models import Certificate
from lms.clock import utcnow_naive
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.courses.catalogue import get_catalogue
from lms.courses.engine import Course
from lms.errors import ServiceError
from lms.events import publish
from lms.extensions import db
from lms.permissions import NotFound, can_manage_cohort, ensure, ensure_visible
from lms.progress.events import EnrolmentCompleted


def valid_certificate(enrolment_id: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.enrolment_id == enrolment_id, Certificate.status == "valid"
        )
    )


def _create(
    enrolment: Enrolment, course: Course, actor: User | None, holder_name: str | None = None
) -> Certificate:
    settings = course.certificate
    certificate = Certificate(
        code=codes.new_code(),
        enrolment_id=enrolment.id,
        holder_name=holder_name or enrolment.user.name,
        course_slug=course.slug,
        course_title=course.title(enrolment.user.language),
        content_hash=course.content_hash,
        cohort_name=enrolment.cohort.name,
        sponsor_name=enrolment.cohort.organisation.name if enrolment.cohort.organisation else None,
        issuer=settings.issuer
        or (enrolment.cohort.organisation.name if enrolment.cohort.organisation else ""),
        title=settings.title,
        signatories=[{"name": s.name, "title": s.title} for s in settings.signatories],
        language=enrolment.user.language or course.language,
        completed_at=enrolment.completed_at or utcnow_naive(),
        issued_at=utcnow_naive(),
        issued_by_id=getattr(actor, "id", None),
    )
    db.session.add(certificate)
    return certificate


def issue(enrolment: Enrolment, course: Course, actor: User | None = None) -> Certificate | None:
    """Issue the enrolment's certificate if it has completed and has none; idempotent."""
    if enrolment.status != EnrolmentStatus.COMPLETED:
        return None
    existing = valid_certificate(enrolment.id)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            certificate = _create(enrolment, course, actor)
    except IntegrityError:  # issued a moment ago by another request
        return valid_certificate(enrolment.id)
    record("certificate.issue", actor, certificate, enrolment_id=enrolment.id)
    publish(CertificateIssued(certificate))
    return certificate


def issue_if_automatic(enrolment: Enrolment, course: Course) -> Certificate | None:
    """On completion: issue now unless the course wants an instructor's approval."""
    if course.certificate.approval == "manual":
        return None
    return issue(enrolment, course)


def on_enrolment_completed(event: EnrolmentCompleted) -> None:
    """Subscriber: a completed enrolment gets its certificate when issuing is automatic."""
    issue_if_automatic(event.enrolment, event.course)


def approve(actor: User, enrolment: Enrolment) -> Certificate:
    ensure_visible(can_manage_cohort(actor, enrolment.cohort))
    course = get_catalogue().get(enrolment.cohort.course_slug)
    if course is None or enrolment.status != EnrolmentStatus.COMPLETED:
        raise ServiceError(_("Only a trainee who has completed the course can get a certificate."))
    return issue(enrolment, course, actor)


@dataclass(frozen=True)
class IssueSummary:
    issued: int
    already: int
    awaiting: int  # completed enrolments still not issued (should be 0)


def due_enrolments(cohort: Cohort) -> list[int]:
    """Completed enrolments of the cohort with no valid certificate."""
    has_valid = select(Certificate.enrolment_id).where(Certificate.status == "valid")
    return list(
        db.session.scalars(
            select(Enrolment.id).where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.status == EnrolmentStatus.COMPLETED,
                Enrolment.id.not_in(has_valid),
            )
        )
    )


def revoke(actor: User, certificate: Certificate, reason: str) -> None:
    ensure_visible(can_manage_cohort(actor, certificate.enrolment.cohort))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(_("Please give a reason."), field="reason")
    if certificate.status != "valid":
        raise ServiceError(_("This certificate is not valid any more."))
    certificate.status = "revoked"
    certificate.revoked_at = utcnow_naive()
    certificate.revoke_reason = reason[:500]
    record("certificate.revoke", actor, certificate, reason=reason[:500])
    publish(CertificateRevoked(certificate))


def reissue(actor: User, certificate: Certificate, holder_name: str) -> Certificate:
    """Correct the holder's name: a new certificate, the old one marked superseded."""
    ensure_visible(can_manage_cohort(actor, certificate.enrolment.cohort))
    holder_name = " ".join((holder_name or "").split())
    if not holder_name or len(holder_name) > 200:
        raise ServiceError(
            _("Please enter the name as it should appear (up to 200 characters)."), "name"
        )
    if certificate.status != "valid":
        raise ServiceError(_("This certificate is not valid any more."))
    course = get_catalogue().get(certificate.course_slug)
    if course is None:
        raise ServiceError(_("The course is not available."))
    certificate.status = "superseded"
    certificate.revoked_at = utcnow_naive()
    db.session.flush()
    new = _create(certificate.enrolment, course, actor, holder_name=holder_name)
    db.session.flush()
    certificate.superseded_by_id = new.id
    names = {"before": certificate.holder_name, "after": holder_name}
    record("certificate.reissue", actor, new, replaces=certificate.id, **names)
    publish(CertificateRevoked(certificate))
    publish(CertificateIssued(new))
    return new


def certificate_of(actor: User, cohort_id: int) -> Certificate:
    """The signed-in trainee's own valid certificate in this cohort."""
    certificate = db.session.scalar(
        select(Certificate)
        .join(Enrolment, Enrolment.id == Certificate.enrolment_id)
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.user_id == actor.id,
            Certificate.status == "valid",
        )
    )
    if certificate is None:
        raise NotFound()
    return certificate


def managed_certificate(actor: User, certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound()
    ensure_visible(can_manage_cohort(actor, certificate.enrolment.cohort))
    return certificate


def managed_certificate_by_code(actor: User, code: str) -> Certificate:
    """A certificate by its code, for those who manage its cohort."""
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None:
        raise NotFound()
    ensure(can_manage_cohort(actor, certificate.enrolment.cohort))  # codes are public (verify)
    return certificate


def certificates_for(actor: User) -> list[Certificate]:
    """Certificates a person may list: their own (trainees), those of the cohorts they
    manage, and, for sponsors, their organisation's cohorts'."""
    query = select(Certificate).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
    if actor.role == "admin":
        return list(db.session.scalars(query))
    if actor.role == "trainee":
        return list(db.session.scalars(query.where(Enrolment.user_id == actor.id)))
    cohorts = select(Cohort.id)
    if actor.role == "sponsor":
        cohorts = cohorts.where(Cohort.organisation_id == actor.organisation_id)
    else:
        cohorts = cohorts.where(Cohort.instructors.any(User.id == actor.id))
    return list(db.session.scalars(query.where(Enrolment.cohort_id.in_(cohorts))))


@dataclass(frozen=True)
class Verification:
    state: str  # genuine | revoked | superseded | unknown | mistyped | malformed
    code: str
    certificate: Certificate | None = None


def verify(typed: str) -> Verification:
    """What a typed code means; never lists or hints at other certificates."""
    state, code = codes.classify(typed)
    if state != "valid":
        return Verification(state, code)
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None:
        return Verification("unknown", code)
    return Verification(
        "genuine" if certificate.status == "valid" else certificate.status, code, certificate
    )
