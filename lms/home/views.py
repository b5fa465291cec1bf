"""`/`: what a visitor or a signed-in person should see first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale

from lms.courses.catalogue import get_catalogue

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template(
        "home.html", courses=get_catalogue().all(), language=str(get_locale() or "en")
    )
