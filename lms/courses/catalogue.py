"""The app's catalogue of loaded courses, and live edits (DESIGN.md, "Instructor studio").

Courses are read from `COURSES_DIR` when the app is created. A `CourseStore` per app keeps
the catalogue served now, the problems each course folder has, and the last good version
of each course: a course whose files stop passing the check keeps serving that version
(and the preview shows the errors). Each good version is also copied to
`COURSES_CACHE_DIR` (default `instance/courses-last-good/`), so a worker that gunicorn
restarts on a HUP starts from it too.

A changed file is seen by the next request when `COURSES_RELOAD` is on (the default under
`lms run`): each request compares the files' stat fingerprints, and only a changed course
is read again. Otherwise each request looks at one file, the reload stamp
(`instance/courses-reload`) that `lms courses reload` replaces, and every worker using this
instance reloads on its next request. Loading is memoised per process by fingerprint, so
creating many apps (tests, workers) reads and renders each course once; and across
processes by content hash on disk (`lms.courses.parsed`, `instance/courses-parsed/`), so a
new worker starts without rendering the courses again.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from flask import Flask, abort, current_app, g, has_request_context, send_file

from lms.courses import parsed
from lms.courses.engine import Course, Problem, safety

log = logging.getLogger(__name__)
MEMO_SIZE = 64
KEEP_VERSIONS = 3
_memo: OrderedDict[tuple, tuple[Course | None, tuple[Problem, ...]]] = OrderedDict()
_memo_lock = threading.Lock()


@dataclass(frozen=True)
class Catalogue:
    courses: dict[str, Course]
    problems: tuple[Problem, ...]
    by_course: Mapping[str, tuple[Problem, ...]] = field(default_factory=dict)
    stale: frozenset[str] = frozenset()  # served from their last good version

    def get(self, slug: str) -> Course | None:
        return self.courses.get(slug)

    def all(self) -> list[Course]:
        return sorted(self.courses.values(), key=lambda course: course.title().lower())

    def problems_of(self, slug: str) -> tuple[Problem, ...]:
        """What `lms courses check` says about the course folder as it is on disk now."""
        return self.by_course.get(slug, ())

    def has_folder(self, slug: str) -> bool:
        return slug in self.by_course


def fingerprint(folder: Path) -> tuple:
    """Every file's path, inode, modification time and size: cheap to take, and any save
    (in place or by renaming a new file over the old one) changes it."""
    entries = []
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                stat = os.stat(os.path.join(directory, name))
                entries.append((directory, name, stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


def _load(
    folder: Path, shown_from: Path, parsed_dir: Path | None = None, secret: str = ""
) -> tuple[Course | None, tuple[Problem, ...]]:
    key = (str(folder), str(shown_from), fingerprint(folder))
    with _memo_lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    course, problems = parsed.load(folder, parsed_dir, secret)
    shown = tuple(replace(p, path=os.path.relpath(p.path, shown_from)) for p in problems)
    with _memo_lock:
        _memo[key] = (course, shown)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return course, shown


def _stamp_of(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


class CourseStore:
    """One app's courses: what is served, each folder's problems, the last good versions."""

    def __init__(
        self,
        root: Path,
        cache: Path,
        stamp: Path,
        watch: bool,
        parsed_dir: Path | None = None,
        secret: str = "",
    ) -> None:
        self.root, self.cache, self.stamp, self.watch = root, cache, stamp, watch
        self.parsed_dir, self.secret = parsed_dir, secret
        self._lock = threading.Lock()
        self._good: dict[str, Course] = {}
        self._seen: tuple | None = None  # the folders' fingerprints at the last refresh
        self._stamp = _stamp_of(stamp)
        self.catalogue = Catalogue(courses={}, problems=())
        self.refresh()

    def check(self) -> None:
        """Once per request: reload what changed (watching), or everything after a stamp."""
        if self.watch:
            self.refresh()
        elif (stamp := _stamp_of(self.stamp)) != self._stamp:
            self._stamp = stamp
            self.refresh(force=True)

    def refresh(self, force: bool = False) -> Catalogue:
        with self._lock:
            folders = self._folders()
            seen = tuple((folder.name, fingerprint(folder)) for folder in folders)
            if seen == self._seen and not force:
                return self.catalogue
            self._seen = seen
            self.catalogue = self._build(folders)
            return self.catalogue

    def _folders(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def _build(self, folders: list[Path]) -> Catalogue:
        courses: dict[str, Course] = {}
        by_course: dict[str, tuple[Problem, ...]] = {}
        stale: set[str] = set()
        problems: list[Problem] = []
        if not self.root.is_dir():
            problems.append(Problem(str(self.root), 1, "courses folder not found"))
        for folder in folders:
            course, found = _load(
                folder.resolve(), self.root.resolve().parent, self.parsed_dir, self.secret
            )
            by_course[folder.name] = found
            problems.extend(found)
            if course is not None:
                courses[course.slug] = self._good[course.slug] = course
                self._remember(course)
            elif (previous := self._good.get(folder.name) or self._recall(folder.name)) is not None:
                courses[folder.name] = self._good[folder.name] = previous
                stale.add(folder.name)
        for slug in sorted(stale):
            log.error("course %s has errors: serving its last good version", slug)
        return Catalogue(courses, tuple(problems), by_course, frozenset(stale))

    def _remember(self, course: Course) -> None:
        """Copy a good version to the cache (once per content hash), so restarts keep it."""
        pointer = self.cache / f"{course.slug}.current"
        try:
            if pointer.is_file() and pointer.read_text() == course.content_hash:
                return
            target = self.cache / course.content_hash / course.slug
            if not target.is_dir():
                scratch = self.cache / f".tmp-{uuid.uuid4().hex}"
                shutil.copytree(course.path, scratch / course.slug, ignore=_hidden)
                try:
                    os.rename(scratch, target.parent)
                except OSError:  # another worker copied it first
                    shutil.rmtree(scratch, ignore_errors=True)
            scratch_pointer = pointer.with_name(f".{pointer.name}.{uuid.uuid4().hex}")
            scratch_pointer.write_text(course.content_hash)
            os.replace(scratch_pointer, pointer)
            self._prune(course.slug)
        except OSError as error:  # the cache is an optimisation: serving goes on without it
            log.warning("could not keep the last good version of %s: %s", course.slug, error)

    def _recall(self, slug: str) -> Course | None:
        pointer = self.cache / f"{slug}.current"
        if not pointer.is_file():
            return None
        folder = self.cache / pointer.read_text().strip() / slug
        course, _problems = (
            _load(folder.resolve(), folder.resolve().parent, self.parsed_dir, self.secret)
            if folder.is_dir()
            else (None, ())
        )
        return course

    def _prune(self, slug: str) -> None:
        versions = sorted(
            (p for p in self.cache.glob(f"*/{slug}") if p.is_dir()),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in versions[KEEP_VERSIONS:]:
            shutil.rmtree(old.parent, ignore_errors=True)


def _hidden(_directory: str, names: list[str]) -> list[str]:
    return [name for name in names if name.startswith(".")]


def init_catalogue(app: Flask) -> None:
    instance = Path(app.instance_path)
    store = CourseStore(
        root=Path(app.config["COURSES_DIR"]),
        cache=Path(app.config.get("COURSES_CACHE_DIR") or instance / "courses-last-good"),
        stamp=reload_stamp(app),
        watch=bool(app.config.get("COURSES_RELOAD")),
        parsed_dir=Path(app.config.get("COURSES_PARSED_DIR") or instance / "courses-parsed"),
        secret=str(app.config["SECRET_KEY"]),
    )
    for problem in store.catalogue.problems:
        (log.error if problem.severity == "error" else log.warning)("%s", problem)
    app.extensions["lms.courses"] = store


def reload_stamp(app: Flask) -> Path:
    return Path(
        app.config.get("COURSES_RELOAD_STAMP") or Path(app.instance_path) / "courses-reload"
    )


def request_reload(app: Flask) -> Catalogue:
    """`lms courses reload`: replace the stamp, so every worker reloads on its next request;
    returns this process's catalogue, reloaded the same way."""
    stamp = reload_stamp(app)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    scratch = stamp.with_name(f".{stamp.name}.{uuid.uuid4().hex}")
    scratch.write_text(uuid.uuid4().hex)
    os.replace(scratch, stamp)
    store: CourseStore = app.extensions["lms.courses"]
    store.check()
    return store.catalogue


def get_catalogue() -> Catalogue:
    store: CourseStore = current_app.extensions["lms.courses"]
    if has_request_context() and not g.get("_lms_courses_checked"):
        g._lms_courses_checked = True
        store.check()
    return store.catalogue


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
