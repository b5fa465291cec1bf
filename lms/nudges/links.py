"""Links in messages start with the public address (DESIGN "Public address"): `PUBLIC_URL`
(`LMS_PUBLIC_URL`, set by `make run`), else the address the request came to; a command or
worker with neither refuses, naming the setting. Never a guessed default."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from flask import current_app, has_request_context, request, url_for
from flask_babel import gettext as _

from lms.errors import ServiceError


class NoPublicAddress(ServiceError):
    """No LMS_PUBLIC_URL and no request to take the address from."""


def public_base() -> str:
    url = current_app.config.get("PUBLIC_URL")
    if url:
        return str(url).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    raise NoPublicAddress(
        _("Set LMS_PUBLIC_URL to the site's public address: messages link to it.")
    )


def link(endpoint: str, **values: Any) -> str:
    """The absolute public URL of a page."""
    base = public_base()
    outside = not has_request_context() or current_app.config.get("PUBLIC_URL")
    with current_app.test_request_context(base_url=base) if outside else nullcontext():
        return url_for(endpoint, _external=True, **values)
