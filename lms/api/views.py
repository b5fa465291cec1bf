"""`/api/v1/openapi.json`, the browsable reference `/api/v1/docs`, and wiring the API in."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template

from lms.api import views_cohorts, views_learning, views_records  # noqa: F401 - registers
from lms.api.blueprint import bp
from lms.api.http import conditional
from lms.api.spec import OPERATIONS, build_document
from lms.extensions import csrf

DOCUMENT = "lms.api.openapi"


def document() -> dict:
    """Built once per app from the registered operations."""
    cached = current_app.extensions.get(DOCUMENT)
    if cached is None:
        cached = current_app.extensions[DOCUMENT] = build_document(
            {
                "title": f"{current_app.config.get('SITE_NAME', 'Literacy LMS')} API",
                "version": "1",
                "description": "Courses, cohorts, enrolments, progress, quizzes, "
                "certificates and reports, with the same permissions as the pages. "
                "See docs/api.md.",
            }
        )
    return cached


@bp.get("/openapi.json")
def openapi():
    return conditional(jsonify(document()))


@bp.get("/docs")
def reference():
    """A plain page (no JavaScript) listing every operation, its scopes and schemas."""
    spec = document()
    return render_template("api/reference.html", spec=spec, operations=OPERATIONS)


def init_api(app: Flask) -> None:
    """Token requests carry no cookie, so no CSRF token: the bearer header is the proof."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
