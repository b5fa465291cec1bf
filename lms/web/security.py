"""Security headers on every response, and session lifetimes.

- A Content-Security-Policy without 'unsafe-inline', X-Content-Type-Options, framing
  refused, a strict Referrer-Policy, and HSTS when the request came over HTTPS.
- Pages for a signed-in person are never stored by caches (grades, reports, rosters).
- Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_DAYS after
  sign-in, whichever comes first.
"""

from __future__ import annotations

import time

from flask import Flask, Response, request, session
from flask_login import current_user, logout_user

from lms.web.http_headers import set_all
from lms.web.sessions import SESSIONLESS_ENDPOINTS, SessionInterface

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
TOUCH_EVERY = 60  # seconds: refresh the idle timer at most once a minute
UPLOAD_ENDPOINTS = frozenset({"teach.upload"})


def init_security(app: Flask) -> None:
    app.session_interface = SessionInterface()  # cookies verified once (lms.web.sessions)

    @app.before_request
    def request_size() -> None:
        """Only the spreadsheet upload may be large; every other request is small."""
        if request.endpoint not in UPLOAD_ENDPOINTS:
            request.max_content_length = app.config["MAX_REQUEST_BYTES"]

    @app.before_request
    def session_lifetime() -> None:
        if request.endpoint in SESSIONLESS_ENDPOINTS or not current_user.is_authenticated:
            return
        now = int(time.time())
        started = session.setdefault("_started", now)
        seen = session.get("_seen", now)
        idle = app.config["SESSION_IDLE_MINUTES"] * 60
        maximum = app.config["SESSION_MAX_DAYS"] * 86400
        if now - seen > idle or now - started > maximum:
            logout_user()
            session.clear()
            return
        if now - seen >= TOUCH_EVERY or "_seen" not in session:
            session["_seen"] = now

    @app.after_request
    def headers(response: Response) -> Response:
        pairs = list(HEADERS)
        if request.is_secure:
            pairs.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        # The session says who is signed in without reloading them after the commit.
        if request.endpoint not in SESSIONLESS_ENDPOINTS and session.get("_user_id") is not None:
            pairs.append(("Cache-Control", "no-store"))
        set_all(response.headers, pairs, defaults=[("Content-Security-Policy", CSP)])
        return response
