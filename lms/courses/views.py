"""Public course pages: catalogue, overview, lesson, and the course's media files."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from lms.courses.catalogue import get_catalogue, get_course_or_404, media_response
from lms.courses.engine.days import has_day_label

bp = Blueprint("courses", __name__)
MEDIA_MAX_AGE = 365 * 24 * 3600


def _language() -> str:
    return str(get_locale() or "en")


@bp.app_template_global()
def day_heading(number: int, title: str) -> str:
    """The day's heading with its label once: "Day 1: Digital safety", never "Day 1: Day 1:
    Digital safety" when the author's title already begins with the label."""
    if has_day_label(title, number):
        return title
    label = _("Day %(number)d", number=number)
    return f"{label}: {title}"


@bp.get("/courses/")
def catalogue():
    return render_template(
        "courses/catalogue.html", courses=get_catalogue().all(), language=_language()
    )


@bp.get("/courses/<slug>/")
def overview(slug: str):
    course = get_course_or_404(slug)
    return render_template("courses/overview.html", course=course, language=_language())


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
def lesson(slug: str, lesson_slug: str):
    course = get_course_or_404(slug)
    lesson = course.lesson(lesson_slug)
    if lesson is None:
        abort(404)
    return render_template(
        "courses/lesson.html",
        **lesson_page(course, lesson, _language()),
        home_url=url_for("courses.overview", slug=slug),
        lesson_url=lambda other: url_for("courses.lesson", slug=slug, lesson_slug=other),
    )


def lesson_page(course, lesson, language: str) -> dict:
    """What every lesson page shows: the text in the reader's language and its neighbours."""
    before, after = course.neighbours(lesson.slug)
    return {
        "course": course,
        "lesson": lesson,
        "text": lesson.text(language),
        "language": language,
        "before": before,
        "after": after,
        "day": course.day(lesson.day),
    }


@bp.get("/courses/<slug>/media/<path:filename>")
def media(slug: str, filename: str):
    return media_response(get_course_or_404(slug), filename, MEDIA_MAX_AGE)
