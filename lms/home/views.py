"""`/`: the trainee's courses, the join-code form, and the catalogue."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory
from flask_babel import get_locale
from flask_login import current_user

from lms.cohorts.forms import JoinCodeForm
from lms.cohorts.services import enrolments_of
from lms.courses.catalogue import get_catalogue

bp = Blueprint("home", __name__)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own: the app's icon (SVG), not a 404."""
    return send_from_directory(
        current_app.static_folder, "icons/icon.svg", mimetype="image/svg+xml", max_age=86400
    )


@bp.get("/")
def index():
    catalogue = get_catalogue()
    enrolments = enrolments_of(current_user) if current_user.is_authenticated else []
    return render_template(
        "home.html",
        courses=catalogue.all(),
        catalogue=catalogue,
        enrolments=enrolments,
        join_form=JoinCodeForm(meta={"csrf": False}),
        language=str(get_locale() or "en"),
    )
