"""The baseline for the lesson page: a plain Flask app rendering the same lesson template.

No database, sessions, CSRF, translations catalogue or compression: what is left when all
of our own machinery is removed. Served by gunicorn as `bench.bare_app:app`.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template

from lms.courses.engine import load_course

ROOT = Path(__file__).resolve().parent.parent


def bare_app(course_dir: Path, lesson_slug: str) -> Flask:
    course, problems = load_course(course_dir)
    assert course is not None, problems
    bare = Flask("bare", template_folder=str(ROOT / "templates"), static_folder=None)
    for rule, endpoint in [
        ("/home", "home.index"),
        ("/c/<slug>/", "courses.overview"),
        ("/c/<slug>/l/<lesson_slug>", "courses.lesson"),
        ("/language", "i18n.set_language"),
        ("/static/<path:filename>", "static"),
    ]:
        bare.add_url_rule(rule, endpoint, lambda **_: "")
    bare.jinja_env.add_extension("jinja2.ext.i18n")
    bare.jinja_env.install_null_translations(newstyle=True)

    class Anonymous:
        is_authenticated = False

    bare.jinja_env.globals.update(
        csrf_token=lambda: "x" * 80,
        asset_url=lambda name: f"/static/{name}?v=0",
        current_user=Anonymous(),
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
    )
    bare.add_url_rule("/", "page", lambda: render_template("courses/lesson.html", **context))
    return bare


app = bare_app(
    Path(os.environ.get("BENCH_COURSE_DIR", ROOT / "courses" / "online-safety-basics")),
    os.environ.get("BENCH_LESSON", "passwords"),
)
