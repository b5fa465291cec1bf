"""The public address: the one place every address printed for people starts from.

`LMS_PUBLIC_URL` (the `PUBLIC_URL` setting; `make run` sets it) when set; otherwise the
address the request came to. A command or worker has no request: without the setting it
refuses to print or send a link (`PublicAddressMissing`, whose message names the setting)
rather than guessing a default such as port 5000. The legacy `BASE_URL` setting, when set
explicitly, still counts as the public address.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, url_for

from lms.errors import ServiceError

SETTING = "LMS_PUBLIC_URL"
# Marks the request context a command runs in (lms.cli_support): it is not a real request.
NO_REQUEST = "lms.no_request"
# The base of the stand-in request context of commands when no public address is set.
UNSET_BASE = "http://public-address-not-set.invalid"


class PublicAddressMissing(ServiceError):
    """A link was needed outside a request with no `LMS_PUBLIC_URL` set."""

    def __init__(self) -> None:
        super().__init__(
            f"No public address: set {SETTING} (e.g. {SETTING}=https://lms.example.org) "
            "so links printed or sent from here point at the site."
        )


def configured_url() -> str | None:
    """The configured public address without a trailing slash, or None."""
    config = current_app.config
    url = config.get("PUBLIC_URL") or config.get(SETTING) or config.get("BASE_URL")
    return str(url).rstrip("/") if url else None


def in_request() -> bool:
    """True inside a real HTTP request (not a command's stand-in context)."""
    return has_request_context() and not request.environ.get(NO_REQUEST)


def public_url() -> str:
    """The site's public address without a trailing slash; raises PublicAddressMissing."""
    url = configured_url()
    if url:
        return url
    if in_request():
        return request.url_root.rstrip("/")
    raise PublicAddressMissing()


def external_url(endpoint: str, **values: object) -> str:
    """The absolute address of `endpoint`, starting with the public address."""
    path = url_for(endpoint, **values)
    if has_request_context():
        path = path.removeprefix(request.script_root)
    return public_url() + path


def init_public_address(app: Flask) -> None:
    app.jinja_env.globals["external_url"] = external_url
