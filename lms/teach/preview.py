"""The instructor's course preview (DESIGN.md, "Instructor studio"): every day open, each
lesson and quiz beside its translations, answers and feedback shown, the check results,
and which quiz questions changed since trainees answered them. Trainees and sponsors get 404.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.cohorts.teaching import ensure_teaches_course
from lms.courses.catalogue import get_catalogue
from lms.courses.engine import Course, Day
from lms.progress.services import required_lessons, required_quizzes
from lms.quizzes.changes import changed_questions

bp = Blueprint("studio", __name__, url_prefix="/teach")
MEDIA_RE = re.compile(r'(src|href)="\.\./media/')
LESSON_LINK_RE = re.compile(r'href="([a-z0-9][a-z0-9-]*)(#[^"]*)?"')


@dataclass(frozen=True)
class DayRule:
    """What a trainee must do to finish the day, as the completion rule counts it."""

    lessons: tuple[str, ...]  # required lesson titles
    optional: tuple[str, ...]
    quiz_required: bool
    pass_mark: int | None


def day_rule(course: Course, day: Day) -> DayRule:
    needed = {lesson.slug for lesson in required_lessons(course)}
    return DayRule(
        lessons=tuple(lesson.title for lesson in day.lessons if lesson.slug in needed),
        optional=tuple(lesson.title for lesson in day.lessons if lesson.slug not in needed),
        quiz_required=bool(day.quiz and day.quiz.key in required_quizzes(course)),
        pass_mark=day.quiz.pass_mark if day.quiz else None,
    )


@functools.lru_cache(maxsize=2048)
def _links_for_preview(html: str, media: str) -> Markup:
    """Lesson HTML links relative to the lesson page: point them where the preview is."""
    html = MEDIA_RE.sub(lambda m: f'{m[1]}="{media}', html)
    html = LESSON_LINK_RE.sub(lambda m: f'href="#lesson-{m[1]}"', html)
    return Markup(html)  # noqa: S704 - the engine's sanitised HTML, only its links rewritten


@bp.get("/courses/<slug>/preview")
@login_required
def preview(slug: str):
    me = current_user._get_current_object()
    ensure_teaches_course(me, slug)
    catalogue = get_catalogue()
    course = catalogue.get(slug)
    if course is None and not catalogue.has_folder(slug):
        abort(404)
    media = url_for("courses.media", slug=slug, filename="")
    return render_template(
        "teach/preview.html",
        slug=slug,
        course=course,
        problems=catalogue.problems_of(slug),
        stale=slug in catalogue.stale,
        changes=changed_questions(me, course) if course else {},
        rules={day.number: day_rule(course, day) for day in course.days} if course else {},
        html=lambda text: _links_for_preview(text, media),
        source=lambda path: os.path.relpath(path, course.path.parent) if course else path,
    )
