"""Recording audit entries; the caller's transaction commits them with the change itself."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from lms.audit.models import AuditEntry
from lms.extensions import db


def record(
    action: str,
    actor: Any,
    target: Any = None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the session (flushed with the change it describes).

    `actor` is a user, the command-line `SYSTEM` actor, or None (anything with an `id`).
    """
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=getattr(target, "id", None),
        details={key: value for key, value in details.items() if value is not None},
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
