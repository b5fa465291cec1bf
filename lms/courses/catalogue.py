"""The app's catalogue of loaded courses.

Courses are read from `COURSES_DIR` when the app is created; problems are logged and only
valid courses are served. Loading is memoised per process by a fingerprint of the files,
so creating many apps (tests, workers) reads and renders each course once.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, current_app, send_file

from lms.courses.engine import Course, Problem, load_courses, safety

log = logging.getLogger(__name__)
_cache: dict[tuple[str, tuple], Catalogue] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Catalogue:
    courses: dict[str, Course]
    problems: tuple[Problem, ...]

    def get(self, slug: str) -> Course | None:
        return self.courses.get(slug)

    def all(self) -> list[Course]:
        return sorted(self.courses.values(), key=lambda course: course.title().lower())


def _fingerprint(root: Path) -> tuple:
    if not root.is_dir():
        return ()
    return tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    )


def load_catalogue(root: Path) -> Catalogue:
    key = (str(root.resolve()), _fingerprint(root))
    with _lock:
        if key not in _cache:
            courses, problems = load_courses(root)
            _cache[key] = Catalogue(courses=courses, problems=tuple(problems))
        return _cache[key]


def init_catalogue(app: Flask) -> None:
    catalogue = load_catalogue(Path(app.config["COURSES_DIR"]))
    for problem in catalogue.problems:
        (log.error if problem.severity == "error" else log.warning)("%s", problem)
    app.extensions["lms.catalogue"] = catalogue


def get_catalogue() -> Catalogue:
    return current_app.extensions["lms.catalogue"]


def media_response(course: Course, filename: str, max_age: int):
    """A file of the course's `media/` folder, or 404 for anything that is not a plain file
    inside it (no links, no hidden files, no way out of the folder)."""
    path = safety.contained_file(course.path / "media", filename)
    if path is None:
        abort(404)
    return send_file(path, max_age=max_age, conditional=True)


def get_course_or_404(slug: str) -> Course:
    course = get_catalogue().get(slug)
    if course is None:
        abort(404)
    return course
