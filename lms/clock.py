"""The current time, controllable in tests through the `NOW` setting (an aware datetime)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """The current time in UTC, timezone-aware."""
    if has_app_context():
        frozen = current_app.config.get("NOW")
        if frozen is not None:
            return frozen
    return datetime.now(UTC)


def utcnow_naive() -> datetime:
    """The current UTC time without tzinfo, as the database columns store it."""
    return now().astimezone(UTC).replace(tzinfo=None)
