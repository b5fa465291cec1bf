"""Fingerprinted static URLs (`?v=<hash>`), served pre-compressed with a one-year
immutable cache (`lms.web.static_files`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, url_for

from lms.config import ROOT
from lms.web.static_files import fingerprint, static_response

RELEASE_FILES = ("templates/**/*.html", "lms/translations/*/LC_MESSAGES/*.mo", "static/css/*.css",
                 "static/js/*.js")  # fmt: skip


def release() -> str:
    """A hash of what every page is made of (templates, translations, CSS and JS): pages
    saved on a phone under an older release are fetched again. Read once per process, the
    same on every server; in debug mode on every call, from the files' sizes and times."""
    known = current_app.extensions.get("lms_release")
    if known is not None and not current_app.debug:
        return known
    digest = hashlib.sha256()
    for pattern in RELEASE_FILES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            if current_app.debug:
                digest.update(f"{path.stat().st_size}:{path.stat().st_mtime_ns}".encode())
            else:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    current_app.extensions["lms_release"] = value = digest.hexdigest()[:12]
    return value


def init_assets(app: Flask) -> None:
    static = Path(app.static_folder or "")
    app.view_functions["static"] = lambda filename: static_response(static, filename)

    urls: dict[str, str] = {}  # static files do not change while a server runs

    def asset_url(filename: str) -> str:
        if app.debug:
            return url_for("static", filename=filename, v=fingerprint(static / filename))
        if filename not in urls:
            urls[filename] = url_for("static", filename=filename, v=fingerprint(static / filename))
        return urls[filename]

    app.jinja_env.globals["asset_url"] = asset_url
