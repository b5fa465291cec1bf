"""The service worker (`/sw.js`) and the offline page it shows for a page not saved on the
phone (`/offline/<language>`): the same for everyone, rendered once per language, and
named by its content hash in the worker script, so a new version reaches phones with the
next worker update (and nothing is fetched again otherwise)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from flask_babel import force_locale

from lms.web.static_files import encoded_response

bp = Blueprint("offline", __name__)
PLACEHOLDER = "var OFFLINE = {};"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def _render(language: str) -> bytes:
    g.pop("_lms_translations", None)  # lms.web.i18n keeps one request's catalogue in g
    with force_locale(language):
        html = render_template("offline.html")
    g.pop("_lms_translations", None)
    return html.encode()


def _built() -> dict:
    """{"pages": {language: (html, version)}, "script": (bytes, version)}, made once per
    process (on every request in debug mode, so edits show at once)."""
    built = current_app.extensions.get("lms_offline")
    if built is not None and not current_app.debug:
        return built
    pages = {code: _render(code) for code in current_app.config["LANGUAGES"]}
    pages = {code: (html, _digest(html)) for code, html in pages.items()}
    asset_url = current_app.jinja_env.globals["asset_url"]
    offline = {
        "pages": {
            code: url_for("offline.page", language=code, v=version)
            for code, (_html, version) in pages.items()
        },
        "assets": [asset_url(name) for name in ("css/app.css", "js/app.js")],
    }
    source = (Path(current_app.static_folder or "") / "js" / "sw.js").read_text()
    assert PLACEHOLDER in source, "static/js/sw.js lost its OFFLINE placeholder"
    script = source.replace(PLACEHOLDER, f"var OFFLINE = {json.dumps(offline)};", 1).encode()
    built = {"pages": pages, "script": (script, _digest(script))}
    current_app.extensions["lms_offline"] = built
    return built


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, from the site root so it may look after every page; always
    revalidated (a 304 when unchanged), as browsers expect of a worker script."""
    script, version = _built()["script"]
    response = encoded_response(script, "text/javascript", version, immutable=False)
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline/<language>")
def page(language: str) -> Response:
    """The offline page in `language`; immutable under its own version (`?v=`)."""
    pages = _built()["pages"]
    if language not in pages:
        abort(404)
    html, version = pages[language]
    return encoded_response(html, "text/html", version, immutable=request.args.get("v") == version)
