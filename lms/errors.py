"""`ServiceError`: a rule was broken; its message is shown to the person, next to `field`."""

from __future__ import annotations


class ServiceError(Exception):
    """`keep_changes`: the caller commits what was flushed (e.g. a counted failed attempt)."""

    def __init__(self, message: str, field: str | None = None, keep_changes: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.keep_changes = keep_changes
