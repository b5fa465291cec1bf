"""GIFT's escapes and numbers, shared by the reader and the writer."""

from __future__ import annotations

from decimal import Decimal

SPECIAL = "~=#{}:"


def escape(text: str) -> str:
    """Escape GIFT's special characters (and the backslash itself)."""
    out = text.replace("\\", "\\\\")
    for char in SPECIAL:
        out = out.replace(char, "\\" + char)
    return out


def escape_block(text: str) -> str:
    """Escape multi-line text; a blank line (which would end the question) becomes `\\n`."""
    lines: list[str] = []
    for line in escape(text).split("\n"):
        if not line.strip() and lines:
            lines[-1] += "\\n"
        elif line.strip():
            lines.append(line)
    return "\n".join(lines)


def unescape(text: str) -> str:
    """Undo GIFT escapes: `\\~ \\= \\# \\{ \\} \\:` and `\\\\` are literal, `\\n` a new line."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            out.append("\n" if following == "n" else following)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def split_unescaped(text: str, separators: str) -> list[tuple[str, str]]:
    """Split at unescaped separator characters: [(separator or "", piece), ...]."""
    pieces: list[tuple[str, str]] = []
    current: list[str] = []
    mark = ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index : index + 2])
            index += 2
            continue
        if char in separators:
            pieces.append((mark, "".join(current)))
            mark, current = char, []
        else:
            current.append(char)
        index += 1
    pieces.append((mark, "".join(current)))
    return pieces


def find_unescaped(text: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped `target` at or after `start`, or -1."""
    index = start
    while index <= len(text) - len(target):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(target, index):
            return index
        index += 1
    return -1


def number_text(value: Decimal) -> str:
    """A decimal as a plain number: no exponent, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
