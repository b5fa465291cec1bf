"""Request plumbing for `/api/v1`: bearer-token authentication (audited, rate-limited per
token), JSON errors `{"error": {"code", "message"}}`, ETags, and cursor pagination."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from lms.api import tokens
from lms.api.models import ApiToken
from lms.audit.services import record
from lms.auth.models import User
from lms.db import write_after_read
from lms.errors import ServiceError
from lms.extensions import db
from lms.permissions import NotFound, PermissionDenied
from lms.web.limits import hit

T = TypeVar("T")
DEFAULT_RATE = 600  # requests per token per minute (setting API_TOKEN_RATE_LIMIT)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str, headers: dict | None = None):
    return jsonify(error={"code": code, "message": message}), status, headers or {}


def authenticate(scopes: tuple[str, ...]) -> User:
    """The token's owner; 401 without a valid token, 403 when it lacks the scope."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "unauthorized", "Send a token: Authorization: Bearer <token>.")
    found: dict[str, int] = {}

    def use() -> None:
        token = tokens.authenticate(secret.strip())
        if token is not None:
            tokens.record_use(token, request.method, request.path)
            found["id"] = token.id

    write_after_read(use)  # its own transaction: the use is audited whatever follows
    if "id" not in found:
        raise ApiError(401, "unauthorized", "The token is unknown, expired or revoked.")
    token = db.session.get(ApiToken, found["id"])
    g.api_token = token
    limit = int(current_app.config.get("API_TOKEN_RATE_LIMIT", DEFAULT_RATE))
    hit(f"api:token:{token.id}", limit, 60)
    if not tokens.allows(token, scopes):
        raise ApiError(403, "insufficient_scope", f"This needs a token with scope {scopes[0]}.")
    return token.user


def _refused(code: str) -> None:
    """Audit a refusal with the token's name (in a transaction of its own)."""
    token = g.get("api_token")
    if token is None:
        return
    user_id, name = token.user_id, token.name
    path, method = request.path[:200], request.method
    write_after_read(
        lambda: record(
            "permission.denied",
            db.session.get(User, user_id),
            None,
            path=path,
            method=method,
            token=name,
            code=code,
        )  # fmt: skip
    )


def register_errors(bp: Blueprint) -> None:
    @bp.errorhandler(ApiError)
    def api_error(error: ApiError):
        db.session.rollback()
        if error.status == 403:
            _refused(error.code)
        headers = {"WWW-Authenticate": 'Bearer realm="api"'} if error.status == 401 else {}
        return error_response(error.status, error.code, error.message, headers)

    @bp.errorhandler(PermissionDenied)
    def forbidden(_error: PermissionDenied):
        db.session.rollback()
        _refused("forbidden")
        return error_response(403, "forbidden", "You may not do this.")

    @bp.errorhandler(NotFound)
    def not_found(_error: NotFound):
        db.session.rollback()
        return error_response(404, "not_found", "There is no such thing here.")

    @bp.errorhandler(ServiceError)
    def invalid(error: ServiceError):
        (db.session.commit if error.keep_changes else db.session.rollback)()
        return error_response(422, "invalid", error.message)

    @bp.errorhandler(ValidationError)
    def malformed(error: ValidationError):
        db.session.rollback()
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid"}
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        return error_response(422, "invalid", f"{where}: {first.get('msg', 'invalid')}")

    @bp.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        headers = {}
        if getattr(error, "retry_after", None):
            headers["Retry-After"] = str(error.retry_after)
        code = (error.name or "error").lower().replace(" ", "_")
        return error_response(error.code or 500, code, error.description or code, headers)


def json_body() -> Any:
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "bad_request", "Send a JSON object (Content-Type: application/json).")
    return data


def conditional(response: Response) -> Response:
    """Reads carry an ETag; a matching If-None-Match gets 304 with no body."""
    response.headers["Cache-Control"] = "private, no-cache"
    if request.method == "GET" and response.status_code == 200:
        response.add_etag()
        response.make_conditional(request)
    return response


# -- cursor pagination ----------------------------------------------------------------------


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise ApiError(400, "bad_cursor", "The cursor is not one this API gave.") from None


def public_base() -> str:
    config = current_app.config
    return (config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def paginate(
    items: Sequence[T], key: Callable[[T], Any], limit: int, cursor: str | None
) -> tuple[list[T], str | None]:
    """One page of `items` ordered by `key`, after the cursor; and the `next` link."""
    ordered = sorted(items, key=key)
    if cursor:
        after = decode_cursor(cursor)
        try:
            ordered = [item for item in ordered if key(item) > type(key(item))(after)]
        except (TypeError, ValueError):
            raise ApiError(400, "bad_cursor", "The cursor is not one this API gave.") from None
    page = ordered[:limit]
    if len(ordered) <= limit:
        return page, None
    args = {**request.args.to_dict(), "limit": limit, "cursor": encode_cursor(key(page[-1]))}
    return page, f"{public_base()}{request.path}?{urlencode(args)}"
