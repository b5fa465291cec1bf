"""Imports every domain's models so the metadata (and migrations) see all tables."""

from lms.auth.models import User

__all__ = ["User"]
