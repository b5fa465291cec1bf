"""How many SMS segments a text takes, and so what it costs. Pure.

GSM-7 (the GSM 03.38 alphabet; its extension characters count twice): 160 characters in
one segment, 153 per segment when split. Anything else (Urdu, emoji) goes as UCS-2: 70
in one, 67 per segment when split, counted in UTF-16 code units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int

    def cost(self, per_segment: Decimal | float | int | str) -> Decimal:
        return Decimal(str(per_segment)) * self.count


def is_gsm7(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def count_segments(text: str) -> Segments:
    if is_gsm7(text):
        units = sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    count = 1 if units <= single else math.ceil(units / multi)
    return Segments(encoding, units, count)
