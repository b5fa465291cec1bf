"""`/healthz`: 200 when the database answers, 503 otherwise (contract)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from lms.db import database_reachable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    if database_reachable():
        return jsonify(status="ok", database="ok"), 200
    return jsonify(status="error", database="unreachable"), 503
