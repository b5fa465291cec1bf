"""Verification codes: 75 random bits in Crockford base32, plus a Luhn mod 32 check character.

Shown as four groups of four (`7KQ2-M9XD-4HTR-0BNC`). The check character catches every
single mistyped character and most swapped neighbours, so a typo is told apart from a
forged code. Typed codes ignore case and separators, and read O as 0 and I/L as 1. Pure.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
RANDOM_CHARS = 15  # 15 x 5 = 75 bits
LENGTH = RANDOM_CHARS + 1
CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_character(body: str) -> str:
    """Luhn mod N over the code's characters."""
    factor, total, n = 2, 0, len(ALPHABET)
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return body + check_character(body)


def normalise(typed: str) -> str:
    """Upper case, separators and spaces removed, look-alike letters mapped."""
    return "".join(ch for ch in (typed or "").upper().translate(CONFUSABLE) if ch.isalnum())


def classify(typed: str) -> tuple[str, str]:
    """("valid" | "mistyped" | "malformed", normalised code)."""
    code = normalise(typed)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return "malformed", code
    if check_character(code[:-1]) != code[-1]:
        return "mistyped", code
    return "valid", code


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
