"""Join codes: short, easy to read aloud and to type on a phone (no 0/O, no 1/I)."""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 6


def new_code(length: int = LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(raw: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def display_code(code: str) -> str:
    """`ABC-DEF`: easier to read out and to copy by hand."""
    middle = len(code) // 2
    return f"{code[:middle]}-{code[middle:]}" if len(code) >= 6 else code
