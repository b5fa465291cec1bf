"""Small helpers shared by views: service errors onto forms, committing, pagination."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Response, flash, request
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets

from lms.errors import ServiceError
from lms.extensions import db

T = TypeVar("T")


def show_error(form: FlaskForm | None, error: ServiceError) -> None:
    """Put the message next to its field, or at the top of the page."""
    field = getattr(form, error.field, None) if (form is not None and error.field) else None
    if field is not None:
        field.errors = (
            [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
        )
    else:
        flash(error.message, "error")


def run(action: Callable[[], T], form: FlaskForm | None = None) -> T | None:
    """Call a service and commit; on a ServiceError roll back, show it, and return None."""
    try:
        result = action()
    except ServiceError as error:
        (db.session.commit if error.keep_changes else db.session.rollback)()
        show_error(form, error)
        return None
    db.session.commit()
    return result


def attachment(body: str | bytes, mimetype: str, filename: str) -> Response:
    """A download: the file name given, never stored by caches."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (works without JavaScript)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
