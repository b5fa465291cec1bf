"""Error pages that say what happened and what to do next, and reveal nothing else."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import InternalError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.audit.services import record
from lms.extensions import db
from lms.permissions import Concealed, NotFound, PermissionDenied

MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You do not have permission to see this page."),
    404: _l("We could not find that page. Check the address, or start from the home page."),
    405: _l("That action is not allowed here."),
    413: _l("What you sent is too large. Please send a smaller file."),
    429: _l("Too many attempts. Please wait a little and try again."),
    500: _l(
        "Something went wrong on our side, and what you just sent may not have been saved. "
        "Please try again."
    ),
    503: _l("The service is temporarily unavailable. Please try again in a minute."),
}
NOT_SAVED = _l(
    "We could not save this: the database is not taking changes just now. What you just "
    "sent was not saved. Please try again in a few minutes."
)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(PermissionDenied, _permission_denied)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(Concealed, _concealed)
    app.register_error_handler(Exception, _unexpected_error)


def _permission_denied(error: PermissionDenied):
    """403, recorded in the audit log (committed on its own: the request's work is dropped)."""
    _audit_denial()
    return _render(403, "Forbidden")


def _concealed(_error: Concealed):
    """A denial answered 404, as for something that does not exist; audited all the same."""
    _audit_denial()
    return _render(404, "Not Found")


def _audit_denial() -> None:
    db.session.rollback()
    user = current_user._get_current_object() if current_user.is_authenticated else None
    record("permission.denied", user, None, path=request.path[:200], method=request.method)
    db.session.commit()


def _not_found(_error: NotFound):
    db.session.rollback()
    return _render(404, "Not Found")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def _render(code: int, name: str, headers=None, message=None):
    message = str(message or MESSAGES.get(code, MESSAGES[400 if code < 500 else 500]))
    if _wants_json():
        body = jsonify(error={"code": name.lower().replace(" ", "_"), "message": message})
        return body, code, headers or {}
    return (
        render_template("errors.html", code=code, name=name, message=message),
        code,
        headers or {},
    )


def http_error_page(error: HTTPException):
    """The standard page for an HTTP error (for handlers that treat only some cases)."""
    return _http_error(error)


def _http_error(error: HTTPException):
    db.session.rollback()
    headers = {}
    if error.code == 429 and getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return _render(error.code or 500, error.name, headers)


def _unexpected_error(error: Exception):
    db.session.rollback()
    if isinstance(error, HTTPException):  # pragma: no cover - routed to _http_error
        return _http_error(error)
    from flask import current_app

    if isinstance(error, OperationalError | InternalError):  # read-only, disk full, gone
        current_app.logger.error(
            "database refused %s %s: %s", request.method, request.path, type(error.orig).__name__
        )
        return _render(503, "Service Unavailable", message=NOT_SAVED)
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    if current_app.testing and current_app.config.get("PROPAGATE_EXCEPTIONS"):
        raise error
    return _render(500, InternalServerError.name)
