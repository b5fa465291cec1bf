"""A real HTTP server around the test app, for probing as an outsider would."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """urllib with a cookie jar: GET and POST over real HTTP, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=10) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            error.close()
            return error.code, text

    def csrf(self, path: str) -> str:
        status, page = self.request(path)
        match = CSRF_RE.search(page)
        assert status == 200 and match, f"no form on {path} ({status})"
        return match.group(1)

    def sign_in(self, login: str, password: str) -> None:
        token = self.csrf("/login")
        status, _ = self.request(
            "/login", {"login": login, "password": password, "csrf_token": token}
        )
        assert status == 302, "sign-in failed"


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free loopback port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def browser(live_server):
    return lambda: Browser(live_server)
