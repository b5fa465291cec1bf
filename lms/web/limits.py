"""Brute-force limits, counted by Flask-Limiter: in memory for one process, in Redis
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

Flask-Limiter's own request hooks enforce its automatic limits (`RATELIMIT_DEFAULT`,
`RATELIMIT_APPLICATION`, `RATELIMIT_META`, in-memory fallbacks, decorated views and
blueprints). The limits above are counted explicitly instead, so with none of those the
hooks find nothing to check, yet cost about a sixth of a lesson page's time (see
docs/benchmarks.md "lesson_page"): they run only while Flask-Limiter holds such a limit,
judged on every request, so a limit configured or declared later still applies.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
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
    """A Flask-Limiter per app, storing in Redis when `REDIS_URL` is set."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config.get("RATELIMIT_PREFIX", "lms"))
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    options = app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        options.setdefault("socket_timeout", 2)
    limiter = Limiter(get_remote_address, app=app, default_limits=[])
    app.extensions["lms.limiter"] = limiter
    _hooks_only_for_automatic_limits(app, limiter)


def has_automatic_limits(limiter: Limiter) -> bool:
    """Whether Flask-Limiter holds a limit its request hooks enforce. An attribute this
    version of Flask-Limiter does not have counts as a limit: the hooks then always run."""
    manager = limiter.limit_manager
    held = (
        (manager, "_default_limits"),
        (manager, "_application_limits"),
        (manager, "_decorated_limits"),
        (manager, "_blueprint_limits"),
        (limiter, "_meta_limits"),
        (limiter, "_in_memory_fallback"),
    )
    return any(getattr(owner, name, True) for owner, name in held)


def _hooks_only_for_automatic_limits(app: Flask, limiter: Limiter) -> None:
    """Wrap Flask-Limiter's before/after/teardown request hooks so that each runs only
    while `has_automatic_limits`; otherwise the response (after_request) passes through."""

    def guarded(function: Callable, passes_response: bool) -> Callable:
        @wraps(function)
        def hook(*args):
            if has_automatic_limits(limiter):
                return function(*args)
            return args[0] if passes_response else None

        return hook

    for hooks, passes_response in (
        (app.before_request_funcs, False),
        (app.after_request_funcs, True),
        (app.teardown_request_funcs, False),
    ):
        functions = hooks.get(None, [])
        for index, function in enumerate(functions):
            owner = getattr(function, "__self__", None)  # a bound method, or a partial's
            if owner is limiter or limiter in getattr(function, "args", ()):
                functions[index] = guarded(function, passes_response)


def _checks(kind: str, keys: dict[str, str | None]) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    found = []
    for scope, key in [*keys.items(), ("address", request.remote_addr or "-")]:
        if key:
            found.append((parse(LIMITS[kind][scope]), (prefix, kind, scope, key)))
    return found


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _strategy():
    return current_app.extensions["lms.limiter"].limiter


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
