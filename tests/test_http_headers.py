"""lms.web.http_headers sets headers as werkzeug's one-at-a-time calls would."""

from __future__ import annotations

import pytest
from werkzeug.wrappers import Response

from lms.web.http_headers import add_vary, set_all

PAIRS = [("X-Frame-Options", "DENY"), ("Cache-Control", "no-store")]
DEFAULTS = [("Content-Security-Policy", "default-src 'self'")]


def response_with(*headers: tuple[str, str]) -> Response:
    response = Response(b"x", content_type="text/html; charset=utf-8")
    for name, value in headers:
        response.headers.add(name, value)
    return response


@pytest.mark.parametrize(
    "existing",
    [
        (),
        (("x-frame-options", "SAMEORIGIN"),),  # another case: replaced, not doubled
        (("Cache-Control", "public"), ("Cache-Control", "max-age=60")),
        (("Content-Security-Policy", "default-src 'none'"),),  # a page's own policy stays
    ],
)
def test_set_all_is_setdefault_then_set_for_each(existing):
    ours, werkzeugs = response_with(*existing), response_with(*existing)
    set_all(ours.headers, PAIRS, defaults=DEFAULTS)
    for name, value in DEFAULTS:
        werkzeugs.headers.setdefault(name, value)
    for name, value in PAIRS:
        werkzeugs.headers[name] = value
    assert sorted(ours.headers.items()) == sorted(werkzeugs.headers.items())


@pytest.mark.parametrize("existing", [None, "Cookie", "cookie", "Cookie, Accept-Encoding"])
def test_add_vary_is_response_vary_add(existing):
    ours, werkzeugs = response_with(), response_with()
    if existing is not None:
        ours.headers["Vary"] = werkzeugs.headers["Vary"] = existing
    add_vary(ours.headers, "Accept-Encoding")
    werkzeugs.vary.add("Accept-Encoding")
    assert ours.vary == werkzeugs.vary
    assert len(ours.headers.getlist("Vary")) == 1
