"""Helpers for API tests."""

from __future__ import annotations


def bearer(token: str) -> dict:
    """The Authorization header for an API token."""
    return {"Authorization": f"Bearer {token}"}
