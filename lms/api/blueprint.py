"""The `/api/v1` blueprint, with its JSON error handlers."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import get_locale

from lms.api.http import register_errors

bp = Blueprint("api", __name__, url_prefix="/api/v1")
register_errors(bp)


def language() -> str:
    """The reader's language (Accept-Language), for titles and report labels."""
    return str(get_locale() or "en")
