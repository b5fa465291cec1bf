"""Literacy LMS: a learning-management system for digital- and financial-literacy cohorts.

`create_app()` is the application factory. It is imported lazily so that the pure course
engine (`lms.courses.engine`) can be used without loading Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application; `config` overrides every other setting (tests use it)."""
    from lms.app import build_app

    return build_app(config)
