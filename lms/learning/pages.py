"""The signed-in trainee's lesson page: one query, and a body cached as bytes.

The user and everything the page needs (cohort, enrolment, lessons done) come in ONE
query, made while Flask-Login loads the user (`lms.auth.sessions.register_user_loader`).

The page is the same for every trainee of a cohort but for three parts: the CSRF token of
its forms, the name in the header and the path the language form comes back to. So the
body is rendered once per key (course content hash, cohort, lesson, language, role, done)
with random markers standing in for those parts, kept as byte segments, and every request
joins the segments with its own values, escaped as the template would escape them. No
person's token or name is ever in the cache. Requests with flashed messages, staff
previewing a cohort, closed days and debug mode render the template as usual.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from lms.auth.sessions import SignedInUser, register_user_loader
from lms.cohorts import access
from lms.cohorts.access import LearningContext
from lms.courses.catalogue import get_catalogue
from lms.courses.engine import Lesson
from lms.courses.views import lesson_page
from lms.progress import rows
from lms.progress import services as progress

# The trainee's pages whose user is loaded with their page data in one query: the lesson,
# marking it done and the quiz (shown and submitted).
ENDPOINTS = ("learning.lesson", "learning.mark_done", "learning.quiz")
EXTENSION = "lms.lesson_pages"
SLOTS = ("csrf", "name", "next")
TEMPLATE = "learning/lesson.html"
TOKENS_KEPT = 10_000


class Bodies:
    """Rendered bodies by key, the least recently used dropped past `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        # New each process: no lesson text or name can contain it by chance or design.
        self.marker = "lmsslot" + secrets.token_hex(12)
        self._pattern = re.compile(re.escape(self.marker) + "(" + "|".join(SLOTS) + ")x")
        self._items: OrderedDict[tuple, tuple[bytes | str, ...]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._catalogue: object = None
        self._tokens: OrderedDict[str, str] = OrderedDict()  # session's CSRF secret -> token

    def csrf_token(self) -> str:
        """The session's signed CSRF token, signed once per session in this process (tokens
        do not expire without `WTF_CSRF_TIME_LIMIT`; with it, a new one each request)."""
        raw = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        if raw is None or current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
            return generate_csrf()
        with self._lock:
            token = self._tokens.get(raw)
        if token is None:
            token = generate_csrf()
            with self._lock:
                self._tokens[raw] = token
                while len(self._tokens) > TOKENS_KEPT:
                    self._tokens.popitem(last=False)
        return token

    def slot(self, name: str) -> str:
        return f"{self.marker}{name}x"

    def split(self, html: str) -> tuple[bytes | str, ...]:
        """Literal parts as bytes, slots as their names: (b"...", "csrf", b"...", ...)."""
        parts = self._pattern.split(html)
        return tuple(p.encode() if i % 2 == 0 else p for i, p in enumerate(parts))

    def get(self, key: tuple) -> tuple[bytes | str, ...] | None:
        with self._lock:
            segments = self._items.get(key)
            if segments is not None:
                self._items.move_to_end(key)
            return segments

    def put(self, key: tuple, segments: tuple[bytes | str, ...]) -> None:
        size = sum(len(part) for part in segments if isinstance(part, bytes))
        with self._lock:
            if key in self._items:
                return
            self._items[key] = segments
            self._size += size
            while self._size > self.max_bytes and self._items:
                _key, dropped = self._items.popitem(last=False)
                self._size -= sum(len(part) for part in dropped if isinstance(part, bytes))

    def follow(self, catalogue: Any) -> None:
        """After a course reload, drop the bodies of course versions no longer served."""
        if catalogue is self._catalogue:
            return
        hashes = {course.content_hash for course in catalogue.courses.values()}
        with self._lock:
            self._catalogue = catalogue
            for key in [key for key in self._items if key[0] not in hashes]:
                dropped = self._items.pop(key)
                self._size -= sum(len(part) for part in dropped if isinstance(part, bytes))

    def __len__(self) -> int:
        return len(self._items)


def fill(segments: tuple[bytes | str, ...], values: dict[str, bytes]) -> bytes:
    return b"".join(part if isinstance(part, bytes) else values[part] for part in segments)


def init_lesson_pages(app: Flask) -> None:
    for endpoint in ENDPOINTS:
        register_user_loader(app, endpoint, load_with_page)
    app.extensions[EXTENSION] = Bodies(int(app.config.get("LESSON_PAGE_CACHE_BYTES", 16 << 20)))


def load_with_page(user_id: int, version: int) -> SignedInUser | None:
    """Flask-Login's loader on the `ENDPOINTS`: the user and the page's data, one query."""
    cohort_id = (request.view_args or {}).get("cohort_id")
    row = signed_in_row(user_id, version, cohort_id)
    if row is None:
        return None
    g.lms_trainee_row = (cohort_id, row)
    return row.user


def signed_in_row(user_id: int, version: int, cohort_id: int) -> rows.TraineeRow | None:
    """The user's row with their page data when they may still be signed in with session
    `version` (active, not signed out since); None otherwise."""
    row = rows.trainee_row(user_id, cohort_id)
    if row is None or not row.user.is_current(version):
        return None
    return row


def context_of(row: rows.TraineeRow) -> LearningContext:
    """The trainee's context built from their row (NotFound without access)."""
    return access.build_context(row.user, row.cohort, row.enrolment, row.done)


def lesson_context(user: Any, cohort_id: int) -> LearningContext:
    """The trainee's context from the row read with the user; staff (not enrolled) get
    the full one (`progress.trainee_context`), which checks that they manage the cohort."""
    loaded = g.get("lms_trainee_row")
    if loaded is None or loaded[0] != cohort_id or loaded[1].enrolment is None:
        return progress.trainee_context(user, cohort_id)
    return context_of(loaded[1])


def lesson_args(context: LearningContext, lesson: Lesson, language: str) -> dict:
    """What `learning/lesson.html` is rendered with."""
    cohort_id = context.cohort.id
    page = lesson_page(context.course, lesson, language)
    after, day = page["after"], page["day"]
    return dict(
        page,
        done=context.completed is not None and lesson.slug in context.completed,
        quiz_after=day.quiz if (after is None or after.day != lesson.day) else None,
        home_url=url_for("learning.home", cohort_id=cohort_id),
        lesson_url=lambda slug: url_for("learning.lesson", cohort_id=cohort_id, lesson_slug=slug),
        context=context,
    )


@dataclass(frozen=True)
class _StandIn:
    """The user or request as the cached body sees them: markers where a person would be."""

    name: str = ""
    role: str = ""
    is_authenticated: bool = True
    blueprint: str | None = None
    path: str = ""
    full_path: str = ""
    query_string: bytes = b""


def lesson_response(context: LearningContext, lesson: Lesson, language: str, user: Any):
    """The page: from the cached body when it is the same for every trainee, else
    rendered. The template's arguments are built only to render it."""
    bodies: Bodies | None = current_app.extensions.get(EXTENSION)
    cacheable = (
        bodies is not None
        and context.enrolment is not None
        and current_app.config.get("LESSON_PAGE_CACHE", True)
        and not current_app.debug
        and "_flashes" not in session
    )
    if not cacheable:
        return render_template(TEMPLATE, **lesson_args(context, lesson, language))
    bodies.follow(get_catalogue())
    key = (
        context.course.content_hash,
        context.cohort.id,
        lesson.slug,
        language,
        user.role,
        context.completed is not None and lesson.slug in context.completed,
        request.blueprint,
    )
    segments = bodies.get(key)
    if segments is None:
        html = render_template(
            TEMPLATE,
            **lesson_args(context, lesson, language),
            csrf_token=lambda: bodies.slot("csrf"),
            current_user=_StandIn(name=bodies.slot("name"), role=user.role),
            request=_StandIn(
                blueprint=request.blueprint,
                path=bodies.slot("next"),
                full_path=bodies.slot("next"),
            ),
        )
        segments = bodies.split(html)
        bodies.put(key, segments)
    path = request.full_path if request.query_string else request.path
    values = {
        "csrf": bodies.csrf_token().encode(),
        "name": str(escape(user.name)).encode(),
        "next": str(escape(path)).encode(),
    }
    return Response(fill(segments, values), content_type="text/html; charset=utf-8")
