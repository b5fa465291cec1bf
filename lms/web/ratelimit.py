"""Fixed-window rate limits, in memory or in Redis (`REDIS_URL`) so processes share counts.

`hit(key, limit, window)` counts one attempt and raises `TooManyRequests` (429 with a
Retry-After) once `limit` attempts were made within the current `window` seconds.
"""

from __future__ import annotations

import threading
import time

from flask import current_app, request
from werkzeug.exceptions import TooManyRequests

_lock = threading.Lock()


# kind -> (attempts per account, attempts per address, window in seconds)
LIMITS = {
    "login": (10, 50, 15 * 60),
    "reset": (10, 30, 60 * 60),
    "join": (0, 60, 15 * 60),
    "login_code": (3, 20, 15 * 60),  # codes sent to one phone, from one address
}


class Limited(TooManyRequests):
    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("lms.redis")
    if client is None:
        import redis

        client = current_app.extensions["lms.redis"] = redis.Redis.from_url(url, socket_timeout=2)
    return client


def count(key: str, window: int) -> tuple[int, int]:
    """Count one hit; return (hits in this window, seconds until the window ends)."""
    now = int(time.time())
    bucket = now // window
    retry_after = (bucket + 1) * window - now
    client = _redis()
    if client is not None:
        name = f"{current_app.config.get('RATELIMIT_PREFIX', 'lms')}:rl:{key}:{bucket}"
        pipe = client.pipeline()
        pipe.incr(name)
        pipe.expire(name, window + 1)
        hits, _ = pipe.execute()
        return int(hits), retry_after
    counts = current_app.extensions.setdefault("lms.ratelimit", {})  # key -> (window, hits)
    with _lock:
        previous_bucket, hits = counts.get(key, (bucket, 0))
        hits = hits + 1 if previous_bucket == bucket else 1
        counts[key] = (bucket, hits)
        if len(counts) > 100_000:  # forget old windows
            for stale in [k for k, (b, _) in counts.items() if b != bucket]:
                del counts[stale]
        return hits, retry_after


def hit(key: str, limit: int, window: int) -> None:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    hits, retry_after = count(key, window)
    if hits > limit:
        raise Limited(retry_after)


def throttle(kind: str, account: str | None = None) -> None:
    """Count an attempt of `kind` from this address (and for this account, if given).

    `account` is the account's canonical key (`auth.identity.account_key`), so that every
    spelling of one phone number shares a count."""
    per_account, per_address, window = LIMITS[kind]
    hit(f"{kind}:ip:{request.remote_addr}", per_address, window)
    if account:
        hit(f"{kind}:account:{account}", per_account, window)
