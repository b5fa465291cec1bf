"""The pure grading module: every question type and the answers people really type."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.quizzes.grading import grade_question, normalise_text, parse_number, score_percent


def choice_question(kind, correct):
    return {"kind": kind, "choices": [{"index": i, "correct": i in correct} for i in range(4)]}


NUMERIC = {"kind": "numeric", "value": "3000", "tolerance": "0"}
DECIMAL = {"kind": "numeric", "value": "3.5", "tolerance": "0.05"}
SHORT = {"kind": "short", "accepted": ["two-factor authentication", "2FA", "دو مرحلہ تصدیق"]}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3000", Decimal(3000)),
        (" 3000 ", Decimal(3000)),
        ("3,000", Decimal(3000)),
        ("3.000", Decimal(3000)),
        ("20 000", Decimal(20000)),
        ("1.234.567", Decimal(1234567)),
        ("3,5", Decimal("3.5")),
        ("3.5", Decimal("3.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("۳۰۰۰", Decimal(3000)),
        ("٣٠٠٠", Decimal(3000)),
        ("۳٫۵", Decimal("3.5")),
        ("Rp 800.000", Decimal(800000)),
        ("PKR 3000", Decimal(3000)),
        ("3000 rupees", Decimal(3000)),
        ("15%", Decimal(15)),
        ("-2", Decimal(-2)),
        ("0.125", Decimal("0.125")),
        (",5", Decimal("0.5")),
        ("", None),
        ("abc", None),
        ("3 000 apples", None),
        ("1,2,3", None),
        (None, None),
    ],
)
def test_parse_number(typed, expected):
    assert parse_number(typed) == expected


@pytest.mark.parametrize(
    ("question", "answer", "points"),
    [
        (NUMERIC, "3000", 1),
        (NUMERIC, "3,000", 1),
        (NUMERIC, "۳۰۰۰", 1),
        (NUMERIC, "2999", 0),
        (NUMERIC, None, 0),
        (NUMERIC, "", 0),
        (DECIMAL, "3,5", 1),
        (DECIMAL, "3.54", 1),
        (DECIMAL, "3.56", 0),
        (DECIMAL, "three", 0),
        (SHORT, "2fa", 1),
        (SHORT, "  Two-Factor   Authentication ", 1),
        (SHORT, "TWO-FACTOR AUTHENTICATION", 1),
        (SHORT, "دو  مرحلہ تصدیق", 1),
        (SHORT, "two factor", 0),
        (SHORT, "", 0),
        (SHORT, None, 0),
        (choice_question("single", {1}), 1, 1),
        (choice_question("single", {1}), 2, 0),
        (choice_question("single", {1}), None, 0),
        (choice_question("single", {1}), [1, 2], 0),
        (choice_question("multiple", {0, 2}), [0, 2], 1),
        (choice_question("multiple", {0, 2}), [2, 0], 1),
        (choice_question("multiple", {0, 2}), [0], 0),
        (choice_question("multiple", {0, 2}), [0, 1, 2], 0),
        (choice_question("multiple", {0, 2}), [], 0),
        (choice_question("multiple", {0, 2}), None, 0),
    ],
)
def test_grade_question(question, answer, points):
    grade = grade_question(question, answer)
    assert grade.points == points and grade.correct is (points == 1)


@pytest.mark.parametrize(
    ("answer", "points"),
    [
        ([0, 2], Decimal(1)),
        ([0], Decimal("0.5")),
        ([0, 1], Decimal(0)),
        ([0, 1, 2], Decimal("0.5")),
        ([1, 3], Decimal(0)),
    ],
)
def test_partial_credit_when_the_quiz_allows_it(answer, points):
    assert (
        grade_question(choice_question("multiple", {0, 2}), answer, partial=True).points == points
    )


def test_normalise_text_and_score():
    assert normalise_text("  Hello\u00a0  World ") == "hello world"
    assert normalise_text("ＡＢＣ") == "abc"  # full-width letters
    assert score_percent(Decimal(2), 3) == Decimal("66.67")
    assert score_percent(Decimal(0), 0) == Decimal(0)
