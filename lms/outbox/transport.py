"""What every network backend shares: the gateway-URL rule and one JSON/form POST that
turns any non-2xx answer or network error into `SendFailed` (which the delivery loop
retries). Secrets travel in headers and never appear in a reason."""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

TIMEOUT = 20


class SendFailed(RuntimeError):
    """The backend did not accept the message; the text says why (no secrets).

    `permanent`: trying again cannot help (e.g. the webhook was disabled), so no retry."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


def gateway_url_allowed(url: str) -> bool:
    """https, or plain http to a loopback address (a local test gateway)."""
    parts = urlsplit(url or "")
    if parts.scheme == "https":
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def post(
    url: str,
    *,
    setting: str,
    headers: dict[str, str],
    json_body: Any = None,
    form: dict[str, str] | None = None,
    what: str = "gateway",
) -> Any:
    """POST and return the decoded JSON answer (or None); `setting` names the URL's setting
    in the error when the URL is not allowed."""
    if not gateway_url_allowed(url):
        raise SendFailed(f"{setting} must be an https:// URL (or http on loopback)")
    if form is not None:
        data, content_type = urlencode(form).encode(), "application/x-www-form-urlencoded"
    else:
        data, content_type = json.dumps(json_body).encode(), "application/json"
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=data, headers={"Content-Type": content_type, **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"{what} answered {exc.code}") from None
    except OSError as exc:
        raise SendFailed(f"{what} unreachable: {exc.__class__.__name__}") from None
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None
