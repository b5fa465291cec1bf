"""Whether a day's title already carries its day label ("Day 1:", "Hari 1:", "دن 1:",
"پہلا دن:"), so pages show it once. Pure: no Flask, no database."""

from __future__ import annotations

import re
import unicodedata

# Urdu ordinal day names as authors write them ("پہلا دن" is "the first day").
URDU_ORDINALS = {
    1: ("پہلا",),
    2: ("دوسرا",),
    3: ("تیسرا",),
    4: ("چوتھا",),
    5: ("پانچواں", "پانچویں"),
    6: ("چھٹا",),
    7: ("ساتواں", "ساتویں"),
    8: ("آٹھواں", "آٹھویں"),
    9: ("نواں", "نویں"),
    10: ("دسواں", "دسویں"),
}
INDONESIAN_ORDINALS = {1: "pertama", 2: "kedua", 3: "ketiga", 4: "keempat", 5: "kelima"}
_NUMBERED = re.compile(r"^\s*(?:day|hari(?:\s+ke-?)?|دن|روز)\s*(\d+)(?!\d)", re.IGNORECASE)


def _ascii_digits(text: str) -> str:
    """Urdu and Arabic-Indic digits as 0-9, everything else unchanged."""
    return "".join(
        str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch for ch in text
    )


def has_day_label(title: str, number: int) -> bool:
    """True when `title` begins with the label of day `number` in any course language."""
    text = _ascii_digits(unicodedata.normalize("NFC", title or "")).strip()
    match = _NUMBERED.match(text)
    if match:
        return int(match.group(1)) == number
    lowered = text.casefold()
    ordinal = INDONESIAN_ORDINALS.get(number)
    if ordinal and lowered.startswith(f"hari {ordinal}"):
        return True
    return any(text.startswith(f"{word} دن") for word in URDU_ORDINALS.get(number, ()))
