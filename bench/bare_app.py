"""The baseline for the lesson page: a plain Flask app rendering the same lesson template.

No database, sessions, CSRF, translations catalogue or compression: what is left when all
of our own machinery is removed. Served by gunicorn as `bench.bare_app:app`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import SimpleNamespace

from flask import Flask, render_template

from lms.courses.engine import load_course
from lms.courses.engine.days import has_day_label

ROOT = Path(__file__).resolve().parent.parent


def day_heading(number: int, title: str) -> str:
    """The real app's `day_heading` without its translations catalogue."""
    return title if has_day_label(title, number) else f"Day {number}: {title}"


def bare_app(course_dir: Path, lesson_slug: str) -> Flask:
    course, problems = load_course(course_dir)
    assert course is not None, problems
    bare = Flask("bare", template_folder=str(ROOT / "templates"), static_folder=None)
    # The same URL rules as the real app (so the template's links build), none of its code.
    from lms import create_app

    real = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": tempfile.mkdtemp()})

    def stub(**_):
        return ""

    for rule in real.url_map.iter_rules():
        bare.add_url_rule(rule.rule, rule.endpoint, stub, methods=rule.methods)
    bare.jinja_env.add_extension("jinja2.ext.i18n")
    bare.jinja_env.install_null_translations(newstyle=True)

    class Anonymous:
        is_authenticated = False

    bare.jinja_env.globals.update(
        csrf_token=lambda: "x" * 80,
        asset_url=lambda name: f"/static/{name}?v=0",
        current_user=Anonymous(),
        day_heading=day_heading,
        current_language="en",
        text_direction="ltr",
        language_names={"en": "English", "ur": "اردو", "id": "Bahasa Indonesia"},
    )
    lesson = course.lesson(lesson_slug)
    before, after = course.neighbours(lesson_slug)
    context = dict(
        course=course,
        lesson=lesson,
        text=lesson.text("en"),
        language="en",
        before=before,
        after=after,
        day=course.day(lesson.day),
        home_url=f"/courses/{course.slug}/",
        lesson_url=lambda slug: f"/courses/{course.slug}/lessons/{slug}",
    )
    bare.add_url_rule(
        "/bare-page", "page", lambda: render_template("courses/lesson.html", **context)
    )
    # The signed-in trainee's template, with the same page data and a stand-in cohort.
    trainee = SimpleNamespace(
        cohort=SimpleNamespace(id=1, name="Cohort"),
        enrolment=SimpleNamespace(id=1),
        course=course,
    )
    day = course.day(lesson.day)
    trainee_page = dict(
        context,
        done=False,
        quiz_after=day.quiz if (after is None or after.day != lesson.day) else None,
        home_url="/cohorts/1/",
        lesson_url=lambda slug: f"/cohorts/1/lessons/{slug}",
        context=trainee,
    )
    bare.add_url_rule(
        "/bare-trainee-page",
        "trainee_page",
        lambda: render_template("learning/lesson.html", **trainee_page),
    )
    return bare


app = bare_app(
    Path(os.environ.get("BENCH_COURSE_DIR", ROOT / "courses" / "online-safety-basics")),
    os.environ.get("BENCH_LESSON", "passwords"),
)
