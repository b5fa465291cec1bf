"""Helpers for `lms` commands: one transaction per command, URLs outside a request.

A command runs in a stand-in request context (so `url_for` works) that `lms.public`
knows is not a real request: links need `LMS_PUBLIC_URL`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app

from lms.errors import ServiceError
from lms.extensions import db
from lms.public import NO_REQUEST, UNSET_BASE, configured_url


@contextmanager
def command_transaction() -> Iterator[None]:
    """Commit once at the end; on a ServiceError roll back and exit 1 with its message."""
    try:
        base = configured_url() or UNSET_BASE
        with current_app.test_request_context(base_url=base, environ_overrides={NO_REQUEST: True}):
            yield
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    except Exception:
        db.session.rollback()
        raise
