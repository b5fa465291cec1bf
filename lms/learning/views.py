"""Trainee pages of a cohort: `/cohorts/<id>/` (course home) and its lessons."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, send_from_directory, url_for
from flask_babel import format_datetime, get_locale
from flask_login import current_user, login_required

from lms.cohorts.services import get_cohort
from lms.courses.catalogue import get_course_or_404
from lms.courses.views import MEDIA_MAX_AGE
from lms.learning import services
from lms.permissions import PermissionDenied

bp = Blueprint("learning", __name__, url_prefix="/cohorts/<int:cohort_id>")


def _language() -> str:
    return str(get_locale() or "en")


def local_time(context, moment) -> str:
    """`moment` in the cohort's timezone, formatted for the reader's language."""
    return format_datetime(
        moment.astimezone(ZoneInfo(context.cohort.timezone)), "full", rebase=False
    )


@bp.get("/")
@login_required
def home(cohort_id: int):
    context = services.learning_context(current_user, cohort_id)
    return render_template(
        "learning/home.html", context=context, language=_language(), local_time=local_time
    )


@bp.get("/lessons/<lesson_slug>")
@login_required
def lesson(cohort_id: int, lesson_slug: str):
    context = services.learning_context(current_user, cohort_id)
    try:
        lesson = services.open_lesson(context, lesson_slug)
    except PermissionDenied:
        state = context.day_state(context.course.lesson(lesson_slug).day)
        return render_template(
            "learning/day_closed.html", context=context, state=state, local_time=local_time
        ), 403
    course = context.course
    before, after = course.neighbours(lesson_slug)
    language = _language()
    return render_template(
        "courses/lesson.html",
        course=course,
        lesson=lesson,
        text=lesson.text(language),
        language=language,
        before=before,
        after=after,
        day=course.day(lesson.day),
        home_url=url_for("learning.home", cohort_id=cohort_id),
        lesson_url=lambda slug: url_for("learning.lesson", cohort_id=cohort_id, lesson_slug=slug),
        context=context,
    )


@bp.get("/media/<path:filename>")
def media(cohort_id: int, filename: str):
    course = get_course_or_404(get_cohort(cohort_id).course_slug)
    return send_from_directory(course.path / "media", filename, max_age=MEDIA_MAX_AGE)
