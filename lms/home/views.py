"""`/`: the trainee's courses, the join-code form, and the catalogue."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user

from lms.cohorts.forms import JoinCodeForm
from lms.cohorts.services import enrolments_of
from lms.courses.catalogue import get_catalogue

bp = Blueprint("home", __name__)


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
