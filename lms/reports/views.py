"""Report pages and exports: `/reports/cohorts/<id>` and `/reports/organisation`.

Each also answers as `.csv`, `.xlsx`, `.json` and `.pdf`. The organisation report takes
`from`, `to` (cohort start dates), `country` and `course` as query parameters.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_date, get_locale
from flask_login import current_user, login_required

from lms.audit.services import record
from lms.cohorts.services import get_cohort
from lms.courses.catalogue import get_catalogue
from lms.db import write_after_read
from lms.reports import exports, roster, services
from lms.reports.sections import sections_for
from lms.web.forms import attachment

bp = Blueprint("reports", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.report_csv),
    "xlsx": (XLSX, exports.report_xlsx),
    "json": ("application/json", exports.report_json),
    "pdf": ("application/pdf", exports.report_pdf),
}


@bp.app_template_filter("isodate")
def isodate(value: str | None) -> str:
    """An ISO date written as the reader's language writes dates."""
    return format_date(date.fromisoformat(value), "medium") if value else "—"


def _language() -> str:
    return str(get_locale() or "en")


def _respond(report: services.Report, fmt: str | None, filename: str):
    if fmt is None:
        titles = {
            slug: course.title(_language()) for slug, course in get_catalogue().courses.items()
        }
        response = Response(
            render_template(
                "reports/report.html",
                course_titles=titles,
                sections=sections_for(report),
                **exports.report_context(report),
            )
        )
    else:
        mimetype, build = FORMATS[fmt]
        body = build(report)
        actor = current_user._get_current_object()
        write_after_read(
            lambda: record("report.export", actor, None, report=report.title[:200], format=fmt)
        )
        return attachment(body, mimetype, f"{filename}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cohorts/<int:cohort_id>", defaults={"fmt": None})
@bp.get("/cohorts/<int:cohort_id>.<any(csv, xlsx, json, pdf):fmt>")
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


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400)


@bp.get("/organisation", defaults={"fmt": None})
@bp.get("/organisation.<any(csv, xlsx, json, pdf):fmt>")
@login_required
def organisation(fmt: str | None):
    organisation_id = request.args.get("id", type=int)
    filters = services.Filters(
        start=_date_arg("from"),
        end=_date_arg("to"),
        country=request.args.get("country") or None,
        course=request.args.get("course") or None,
    )
    report = services.organisation_report(current_user, organisation_id, filters, _language())
    return _respond(report, fmt, "report-organisation")
