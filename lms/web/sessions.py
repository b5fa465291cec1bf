"""Flask's signed-cookie sessions, with two changes.

- Files that are the same for everyone get no cookie and no `Vary: Cookie` (Flask-Login
  reads the session after every request).
- A cookie is verified once per process. A signed-in person's browser sends the same
  cookie with every request until the session changes (the idle timer moves once a
  minute), and checking its signature and decoding it took about 20 us of each lesson
  page (docs/benchmarks.md "lesson_page"). So what a verified cookie holds is kept, by the
  cookie's exact text (its signature included) and the signing keys, and only its age is
  checked again, as itsdangerous checks it (PERMANENT_SESSION_LIFETIME). A cookie that is
  not byte for byte one already verified, or was verified under other keys, is verified
  in full. Only sessions of plain values (text, numbers, booleans) are kept, so no
  request can change what another one opens.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from lms.web.http_headers import add_vary

KEPT = 4096  # verified cookies kept per process, the least recently used dropped
PLAIN = (str, int, float, bool, type(None))
# Files that are the same for everyone: no session is read, so no `Vary: Cookie` (which
# would make a browser revalidate them whenever the session cookie changes).
SESSIONLESS_ENDPOINTS = frozenset({"static", "offline.service_worker", "offline.page",
                                   "home.favicon", "courses.media", "learning.media"})  # fmt: skip


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions, each cookie verified once per process (see above)."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._verified: OrderedDict[tuple, tuple[int, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        key = (cookie, app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        max_age = int(app.permanent_session_lifetime.total_seconds())
        with self._lock:
            found = self._verified.get(key)
            if found is not None:
                self._verified.move_to_end(key)
        if found is not None and 0 <= int(time.time()) - found[0] <= max_age:
            return self.session_class(found[1])
        try:
            data, signed = self.get_signing_serializer(app).loads(
                cookie, max_age=max_age, return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(type(value) in PLAIN for value in data.values()):
            self._keep(key, int(signed.timestamp()), dict(data))
        return self.session_class(data)

    def _keep(self, key: tuple, signed: int, data: dict) -> None:
        with self._lock:
            self._verified[key] = (signed, data)
            while len(self._verified) > self.kept:
                self._verified.popitem(last=False)

    def save_session(self, app: Flask, session, response: Response) -> None:
        if request.endpoint in SESSIONLESS_ENDPOINTS:
            return
        if session and not self.should_set_cookie(app, session):
            if session.accessed:  # what Flask's save_session does here, in fewer steps
                add_vary(response.headers, "Cookie")
            return
        super().save_session(app, session, response)

    def __len__(self) -> int:
        return len(self._verified)
