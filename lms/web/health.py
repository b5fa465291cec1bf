"""`/healthz` (contract): 200 when the database answers and takes writes, 503 otherwise,
with a JSON body saying which check failed."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from lms.db import database_reachable, database_writable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    if not database_reachable():
        return jsonify(status="error", database="unreachable"), 503
    if not database_writable():
        return jsonify(status="error", database="read-only"), 503
    return jsonify(status="ok", database="ok"), 200
