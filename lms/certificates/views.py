"""Certificate pages: download, public verification (HTML and JSON), staff actions."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.certificates import codes, pdf, services
from lms.cohorts.services import managed_cohort, managed_enrolment
from lms.courses.catalogue import get_catalogue
from lms.web.forms import attachment, run
from lms.web.limits import throttle

bp = Blueprint("certificates", __name__)


def _course_dir(certificate):
    course = get_catalogue().get(certificate.course_slug)
    return course.path if course else None


@bp.get("/cohorts/<int:cohort_id>/certificate.pdf")
@login_required
def download(cohort_id: int):
    certificate = services.certificate_of(current_user, cohort_id)
    data = pdf.certificate_pdf(certificate, _course_dir(certificate))
    return attachment(data, "application/pdf", pdf.download_name(certificate))


@bp.get("/verify")
def verify_form():
    typed = request.args.get("code")
    if typed is not None and typed.strip():
        return redirect(url_for("certificates.verify", code=codes.normalise(typed)[:32] or "-"))
    error = _("Please enter the code printed on the certificate.") if typed is not None else None
    return render_template("certificates/verify_form.html", error=error), 400 if error else 200


def _checked(code: str) -> services.Verification:
    throttle("verify")
    return services.verify(code[:64])


@bp.get("/verify/<code>")
def verify(code: str):
    result = _checked(code)
    status = 200 if result.certificate is not None else 404
    return render_template("certificates/verify.html", result=result, display=codes.display), status


@bp.get("/verify/<code>.json")
def verify_json(code: str):
    result = _checked(code)
    body: dict = {
        "code": codes.display(result.code) if result.state != "malformed" else None,
        "status": result.state,
    }
    certificate = result.certificate
    if certificate is not None:
        body.update(
            holder=certificate.holder_name,
            course=certificate.course_title,
            issuer=certificate.issuer,
            cohort=certificate.cohort_name,
            sponsor=certificate.sponsor_name,
            issued_on=certificate.issued_at.date().isoformat(),
        )
        if certificate.status != "valid":
            body.update(
                revoked_on=certificate.revoked_at.date().isoformat()
                if certificate.revoked_at
                else None
            )
        if certificate.status == "revoked":
            body["reason"] = certificate.revoke_reason
    return jsonify(body), 200 if certificate is not None else 404


@bp.post("/teach/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/certificate")
@login_required
def approve(cohort_id: int, enrolment_id: int):
    cohort = managed_cohort(current_user, cohort_id)
    enrolment = managed_enrolment(current_user, cohort, enrolment_id)
    if run(lambda: services.approve(current_user, enrolment)):
        flash(_("Certificate issued."), "info")
    return redirect(url_for("teach.trainee", cohort_id=cohort_id, enrolment_id=enrolment_id))


@bp.post("/teach/certificates/<int:certificate_id>/revoke")
@login_required
def revoke(certificate_id: int):
    certificate = services.managed_certificate(current_user, certificate_id)
    if run(
        lambda: services.revoke(current_user, certificate, request.form.get("reason", "")) or True
    ):
        flash(_("Certificate revoked."), "info")
    enrolment = certificate.enrolment
    return redirect(
        url_for("teach.trainee", cohort_id=enrolment.cohort_id, enrolment_id=enrolment.id)
    )


@bp.post("/teach/certificates/<int:certificate_id>/reissue")
@login_required
def reissue(certificate_id: int):
    certificate = services.managed_certificate(current_user, certificate_id)
    if run(lambda: services.reissue(current_user, certificate, request.form.get("name", ""))):
        flash(_("A corrected certificate was issued; the old one is marked superseded."), "info")
    enrolment = certificate.enrolment
    return redirect(
        url_for("teach.trainee", cohort_id=enrolment.cohort_id, enrolment_id=enrolment.id)
    )
