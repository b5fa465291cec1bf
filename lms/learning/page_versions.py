"""Keys and ETags of the pages a phone keeps offline (lessons and quizzes).

- The **key** names what a saved copy shows that matters offline: the person, the course
  content, the page, its language, the release (templates, translations, CSS and JS) and,
  for a quiz, the attempts used (a saved quiz form carries a one-time token). The course
  home lists every open page with its key; the service worker fetches only the pages whose
  key changed.
- The **ETag** adds what a page shows online (a lesson done or not, the session whose CSRF
  token its forms carry), so the worker's conditional request gets a 304 for a page that
  is unchanged, and the full page otherwise. Pages with a one-off message (a flash, kept
  answers) get neither: they are never served from a saved copy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Response, make_response, request, session
from flask_wtf.csrf import generate_csrf

from lms.auth.models import User
from lms.cohorts.access import LearningContext
from lms.web.assets import release


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:20]


def lesson_key(user: User, context: LearningContext, slug: str, language: str) -> str:
    return _digest("lesson", release(), user.id, context.course.content_hash, slug, language)


def quiz_key(user: User, context: LearningContext, quiz: str, language: str, used: int) -> str:
    return _digest("quiz", release(), user.id, context.course.content_hash, quiz, language, used)


def page_etag(key: str, user: User, *shown: object) -> str | None:
    """The ETag of a page with `key` that also shows `shown`; None when the page carries
    a one-off message."""
    if session.get("_flashes"):
        return None
    secret = session.get("csrf_token")
    if secret is None:
        generate_csrf()  # the session's CSRF secret exists before the page's forms use it
        secret = session.get("csrf_token", "")
    return _digest(key, user.name, user.role, hashlib.sha256(secret.encode()).hexdigest(), *shown)


def conditional_page(key: str, etag: str | None, render: Callable[[], str]) -> Response:
    """304 when the asker holds this very page (If-None-Match); else the rendered page,
    with its ETag and offline key (X-Offline-Key) for the service worker."""
    if etag is not None and request.if_none_match.contains_weak(etag):
        response = Response(status=304)
        response.set_etag(etag, weak=True)  # weak: the body is compressed on the way out
        return response
    response = make_response(render())
    if etag is not None:
        response.set_etag(etag, weak=True)
        response.headers["X-Offline-Key"] = key
    return response
