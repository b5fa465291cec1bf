"""Brute-force limits, counted by the `limits` library: in memory for one process, in Redis
(`LMS_REDIS_URL`) so that every worker and server shares one count.

Limits are per account and per join code first; the per-address limits are far higher,
because a classroom shares one address behind its NAT: one account's eleventh attempt in
15 minutes is refused for that account alone, while a class of a hundred signs in and
joins from one address. `throttle` counts every attempt atomically (exact under
concurrent requests); joining counts unknown codes only against the account and address
(`refuse_if_exceeded` before, `count_failure` after), so a class joining at once with the
right code meets only the code's own, generous limit.

Several processes with counts in memory would each count alone: `check_shared_store`
refuses to start such a deployment (gunicorn.conf.py calls it), naming the setting.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import STRATEGIES, RateLimiter
from werkzeug.exceptions import TooManyRequests

# kind -> scope -> limit (the `limits` notation). Scopes: account, code, address.
LIMITS: dict[str, dict[str, str]] = {
    "login": {"account": "10 per 15 minutes", "address": "500 per 15 minutes"},
    "reset": {"account": "10 per hour", "address": "300 per hour"},
    "join": {
        "code": "1000 per 15 minutes",
        "account": "30 per 15 minutes",
        "address": "600 per 15 minutes",
    },  # fmt: skip
    "verify": {"address": "30 per minute"},
    # sign-in codes sent to one phone: few per number, more per (shared) address
    "login_code": {"account": "3 per 15 minutes", "address": "200 per 15 minutes"},
}


class Limited(TooManyRequests):
    """429, with how many seconds to wait (sent as Retry-After)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


class SharedStoreMissing(RuntimeError):
    """Several processes would each keep their own counts."""


def init_limits(app: Flask) -> None:
    """A rate limiter per app (the `limits` library), storing in Redis when `REDIS_URL` is
    set. Limits are counted where a service asks (`throttle`, `hit`), so no request hook
    runs on the pages that have none."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config.get("RATELIMIT_PREFIX", "lms"))
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    options = app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        options.setdefault("socket_timeout", 2)
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"], **options)
    app.extensions["lms.limiter"] = STRATEGIES[app.config["RATELIMIT_STRATEGY"]](storage)


def _checks(kind: str, keys: dict[str, str | None]) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    found = []
    for scope, key in [*keys.items(), ("address", request.remote_addr or "-")]:
        if key:
            found.append((parse(LIMITS[kind][scope]), (prefix, kind, scope, key)))
    return found


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _strategy() -> RateLimiter:
    return current_app.extensions["lms.limiter"]


def _refuse(item: RateLimitItem, identifiers: tuple[str, ...]) -> None:
    reset_at, _remaining = _strategy().get_window_stats(item, *identifiers)
    raise Limited(max(1, int(reset_at - time.time())))


def refuse_if_exceeded(kind: str, **keys: str | None) -> None:
    """429 when any of this attempt's counts (and the address's) is already used up."""
    if not _enabled():
        return
    for item, identifiers in _checks(kind, keys):
        if not _strategy().test(item, *identifiers):
            _refuse(item, identifiers)


def count_failure(kind: str, **keys: str | None) -> None:
    """Count one failed attempt against each key and the address."""
    if not _enabled():
        return
    for item, identifiers in _checks(kind, keys):
        _strategy().hit(item, *identifiers)


def throttle(kind: str, **keys: str | None) -> None:
    """Count one attempt against each key and the address; 429 once a limit is passed."""
    if not _enabled():
        return
    for item, identifiers in _checks(kind, keys):
        if not _strategy().hit(item, *identifiers):
            _refuse(item, identifiers)


def hit(key: str, limit: int, window: int) -> None:
    """Count one use of `key` (a token, a person checking in); 429 past `limit` in `window`
    seconds. The same shared store as every other limit."""
    if not _enabled():
        return
    item = parse(f"{limit} per {window} seconds")
    identifiers = (current_app.config["RATELIMIT_KEY_PREFIX"], "hit", key)
    if not _strategy().hit(item, *identifiers):
        _refuse(item, identifiers)


def check_shared_store(workers: int, environ: dict[str, str]) -> None:
    """Refuse several worker processes whose limits would live in each one's memory."""
    if workers > 1 and not environ.get("LMS_REDIS_URL"):
        raise SharedStoreMissing(
            f"{workers} worker processes would each count sign-in and join attempts alone: "
            "set LMS_REDIS_URL (for example redis://127.0.0.1:6379/0) so they share one "
            "count, or run one worker."
        )
