"""Fingerprinted static URLs (`?v=<hash>`) served with a one-year immutable cache."""

from __future__ import annotations

import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request, send_from_directory, url_for

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _fingerprint(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def _version(path: Path) -> str:
    return _fingerprint(str(path), path.stat().st_mtime) if path.is_file() else "0"


mimetypes.add_type("application/manifest+json", ".webmanifest")


def init_assets(app: Flask) -> None:
    static = Path(app.static_folder or "")

    @app.get("/sw.js")
    def service_worker() -> Response:
        """The service worker, from the site root so it may look after every page."""
        response = send_from_directory(
            static / "js", "sw.js", mimetype="application/javascript", max_age=0
        )
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Service-Worker-Allowed"] = "/"
        return response

    urls: dict[str, str] = {}  # static files do not change while a server runs

    def asset_url(filename: str) -> str:
        if app.debug:
            return url_for("static", filename=filename, v=_version(static / filename))
        if filename not in urls:
            urls[filename] = url_for("static", filename=filename, v=_version(static / filename))
        return urls[filename]

    app.jinja_env.globals["asset_url"] = asset_url

    @app.after_request
    def cache_static(response: Response) -> Response:
        if request.endpoint == "static" and "v" in request.args and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
