"""Report pages and exports: `/reports/cohorts/<id>` and `/reports/organisation`.

Each also answers as `.csv`, `.json` and `.pdf`.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from lms.audit.services import record
from lms.cohorts.services import get_cohort
from lms.courses.catalogue import get_catalogue
from lms.extensions import db
from lms.reports import exports, roster, services
from lms.reports.charts import distribution_chart, funnel_chart
from lms.web.forms import attachment

bp = Blueprint("reports", __name__, url_prefix="/reports")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.report_csv),
    "json": ("application/json", exports.report_json),
    "pdf": ("application/pdf", exports.report_pdf),
}


def _language() -> str:
    return str(get_locale() or "en")


def _respond(report: services.Report, fmt: str | None, filename: str):
    if fmt is None:
        response = Response(
            render_template(
                "reports/report.html",
                report=report,
                funnel_chart=funnel_chart(report) if report.funnel else None,
                distribution_chart=distribution_chart,
            )
        )
    else:
        mimetype, build = FORMATS[fmt]
        record("report.export", current_user, None, report=report.title[:200], format=fmt)
        db.session.commit()
        return attachment(build(report), mimetype, f"{filename}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cohorts/<int:cohort_id>", defaults={"fmt": None})
@bp.get("/cohorts/<int:cohort_id>.<any(csv, json, pdf):fmt>")
@login_required
def cohort(cohort_id: int, fmt: str | None):
    report = services.cohort_report(current_user, cohort_id, _language())
    return _respond(report, fmt, f"report-cohort-{cohort_id}")


@bp.get("/cohorts/<int:cohort_id>/people")
@login_required
def people(cohort_id: int):
    """Trainees by name with their progress: for those allowed to see names (sponsors only
    when the cohort says so)."""
    cohort = get_cohort(cohort_id)
    course = get_catalogue().get(cohort.course_slug)
    if course is None:
        abort(404)
    rows = roster.roster_rows(current_user, cohort, course, sort="name")
    response = Response(
        render_template("reports/people.html", cohort=cohort, course=course, rows=rows)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/organisation", defaults={"fmt": None})
@bp.get("/organisation.<any(csv, json, pdf):fmt>")
@login_required
def organisation(fmt: str | None):
    organisation_id = request.args.get("id", type=int)
    report = services.organisation_report(current_user, organisation_id)
    return _respond(report, fmt, "report-organisation")
