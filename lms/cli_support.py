"""Helpers for `lms` commands: one transaction per command, URLs outside a request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app

from lms.errors import ServiceError
from lms.extensions import db


@contextmanager
def command_transaction() -> Iterator[None]:
    """Commit once at the end; on a ServiceError roll back and exit 1 with its message."""
    try:
        with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
            yield
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    except Exception:
        db.session.rollback()
        raise
