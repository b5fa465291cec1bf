"""Operations on certificates and reports: the certificate and report services."""

from __future__ import annotations

from flask import url_for

from lms.api.blueprint import bp, language
from lms.api.http import paginate, public_base
from lms.api.schemas import (
    CertificateList,
    CertificateOut,
    ListQuery,
    OrganisationReportQuery,
    ReissueRequest,
    ReportOut,
    RevokeRequest,
)
from lms.api.spec import operation
from lms.auth.models import User
from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.permissions import NotFound
from lms.reports import services as reports


def certificate_out(certificate: Certificate) -> CertificateOut:
    return CertificateOut(
        code=certificate.code,
        status=certificate.status,
        holder_name=certificate.holder_name,
        course_slug=certificate.course_slug,
        course_title=certificate.course_title,
        cohort_name=certificate.cohort_name,
        issuer=certificate.issuer,
        completed_at=certificate.completed_at,
        issued_at=certificate.issued_at,
        revoked_at=certificate.revoked_at,
        verify_url=public_base() + url_for("certificates.verify", code=certificate.code),
    )


@operation(bp, "/certificates", summary="Certificates you hold, manage or sponsor",
           tag="certificates", response=CertificateList, query=ListQuery)  # fmt: skip
def list_certificates(actor: User, query: ListQuery) -> CertificateList:
    found = certificates.certificates_for(actor)
    page, next_url = paginate(found, lambda c: c.id, query.limit, query.cursor)
    return CertificateList(data=[certificate_out(c) for c in page], next=next_url)


@operation(bp, "/certificates/<code>", summary="Verify a certificate by its code",
           tag="certificates", response=CertificateOut)  # fmt: skip
def get_certificate(actor: User, code: str) -> CertificateOut:
    """What the public verification page shows, for any token."""
    verification = certificates.verify(code)
    if verification.certificate is None:
        raise NotFound()
    return certificate_out(verification.certificate)


@operation(bp, "/certificates/<code>/revoke", "POST", summary="Revoke a certificate",
           tag="certificates", response=CertificateOut, body=RevokeRequest,
           scopes=("admin",))  # fmt: skip
def revoke_certificate(actor: User, code: str, body: RevokeRequest) -> CertificateOut:
    certificate = certificates.managed_certificate_by_code(actor, code)
    certificates.revoke(actor, certificate, body.reason)
    db.session.commit()
    return certificate_out(certificate)


@operation(bp, "/certificates/<code>/reissue", "POST", tag="certificates", status=201,
           summary="Reissue a certificate with a corrected name", response=CertificateOut,
           body=ReissueRequest, scopes=("admin",))  # fmt: skip
def reissue_certificate(actor: User, code: str, body: ReissueRequest) -> CertificateOut:
    """The old certificate is marked superseded; the new one is returned."""
    certificate = certificates.managed_certificate_by_code(actor, code)
    new = certificates.reissue(actor, certificate, body.holder_name)
    db.session.commit()
    return certificate_out(new)


def report_out(report: reports.Report) -> ReportOut:
    return ReportOut.model_validate(report.as_dict())


@operation(bp, "/cohorts/<int:cohort_id>/report", summary="A cohort's sponsor report",
           tag="reports", response=ReportOut, scopes=("report",))  # fmt: skip
def cohort_report(actor: User, cohort_id: int) -> ReportOut:
    return report_out(reports.cohort_report(actor, cohort_id, language()))


@operation(bp, "/organisations/<int:organisation_id>/report", tag="reports",
           summary="An organisation's report over its cohorts", response=ReportOut,
           scopes=("report",), query=OrganisationReportQuery)  # fmt: skip
def organisation_report(
    actor: User, organisation_id: int, query: OrganisationReportQuery
) -> ReportOut:
    """Sponsors see their own organisation's (another id is 404); admins any."""
    filters = reports.Filters(
        start=query.from_, end=query.to, country=query.country, course=query.course
    )
    return report_out(reports.organisation_report(actor, organisation_id, filters, language()))
