"""Grades one answer to one question. Pure: no Flask, no database.

Answers arrive as typed on phones: numbers with comma or dot decimals, thousands
separators, Urdu/Eastern Arabic digits, currency words; short answers with any case and
spacing. Each question is worth one point; multiple choice is all-or-nothing unless the
quiz allows partial credit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}([.,\u066c\u00a0 ])\d{3}(\1\d{3})*$")
NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


@dataclass(frozen=True)
class Grade:
    points: Decimal  # 0..1
    correct: bool  # full marks


def parse_number(text: str | None) -> Decimal | None:
    """The number a person typed, or None when it is not one."""
    if text is None:
        return None
    value = unicodedata.normalize("NFKC", str(text)).translate(DIGITS).strip()
    value = value.replace("\u066b", ".")  # Arabic decimal separator
    value = re.sub(r"^(rp\.?|rs\.?|pkr|idr|usd|\$)\s*", "", value, flags=re.IGNORECASE)
    value = re.sub(
        r"\s*(rp|rs|pkr|idr|rupees?|rupiah|%)\.?$", "", value, flags=re.IGNORECASE
    ).strip()
    if GROUPED.match(value):  # 20,000 / 20.000 / 20 000: thousands separators
        value = re.sub(r"[.,\u066c\u00a0 ]", "", value)
    elif "," in value and "." in value:  # 1.234,5 or 1,234.5: the last one is the decimal mark
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        value = value.replace(grouping, "").replace(decimal_mark, ".")
    value = value.replace(" ", "")
    if not NUMBER.match(value):
        return None
    try:
        return Decimal(value.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern already guards this
        return None


def normalise_text(text: str | None) -> str:
    """Case-, width- and space-insensitive form of a short answer."""
    value = unicodedata.normalize("NFKC", text or "").translate(DIGITS)
    return " ".join(value.casefold().split())


def grade_choice(correct: set[int], chosen: set[int], partial: bool) -> Grade:
    if chosen == correct:
        return Grade(Decimal(1), True)
    if not partial or len(correct) < 2:
        return Grade(Decimal(0), False)
    right = len(chosen & correct)
    wrong = len(chosen - correct)
    points = max(Decimal(0), Decimal(right - wrong) / Decimal(len(correct)))
    return Grade(points.quantize(Decimal("0.0001")), False)


def grade_numeric(value: Decimal, tolerance: Decimal, answer: str | None) -> Grade:
    number = parse_number(answer)
    ok = number is not None and abs(number - value) <= tolerance
    return Grade(Decimal(1 if ok else 0), ok)


def grade_short(accepted: list[str], answer: str | None) -> Grade:
    given = normalise_text(answer)
    ok = bool(given) and given in {normalise_text(option) for option in accepted}
    return Grade(Decimal(1 if ok else 0), ok)


def grade_question(question: dict, answer: object, partial: bool = False) -> Grade:
    """Grade `answer` against a question snapshot (see `snapshot_question`)."""
    kind = question["kind"]
    if kind in ("single", "multiple"):
        correct = {c["index"] for c in question["choices"] if c["correct"]}
        chosen = (
            set(answer)
            if isinstance(answer, list)
            else ({answer} if isinstance(answer, int) else set())
        )
        if kind == "single" and len(chosen) > 1:
            return Grade(Decimal(0), False)
        return grade_choice(correct, chosen, partial and kind == "multiple")
    if kind == "numeric":
        return grade_numeric(Decimal(question["value"]), Decimal(question["tolerance"]), answer)
    return grade_short(question["accepted"], answer if isinstance(answer, str) else None)


def score_percent(points: Decimal, maximum: int) -> Decimal:
    if maximum == 0:
        return Decimal(0)
    return (points * 100 / maximum).quantize(Decimal("0.01"))
