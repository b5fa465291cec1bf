"""GIFT import and export (DESIGN.md, "GIFT interchange"): every supported type both ways,
escapes, weights, `min..max`, unsupported types as FILE:LINE with exit 1, and a round trip
of every quiz of the flagship course. The fixtures in tests/data/gift were written here."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from lms.cli import main
from lms.courses.engine import QuestionKind
from lms.courses.engine.frontmatter import parse_document
from lms.courses.engine.quizzes import parse_quiz
from lms.courses.gift import gift_to_quiz, quiz_to_gift

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "gift"
FLAGSHIP = ROOT / "courses" / "money-smart-creators"


def parsed(markdown: str):
    quiz, problems = parse_quiz(parse_document(markdown), key="q", path="quiz.md", language="en")
    assert [p for p in problems if p.severity == "error"] == [], markdown
    return quiz


def imported(text: str, path: str = "bank.gift"):
    markdown, result = gift_to_quiz(text, path, "Imported")
    return parsed(markdown), result, markdown


def exported(markdown: str) -> str:
    gift, problems = quiz_to_gift(markdown, "quiz.md")
    assert problems == []
    return gift


@pytest.fixture(scope="module")
def every_type():
    return imported((DATA / "every-type.gift").read_text(), "every-type.gift")


def test_import_reads_settings_and_reports_categories_as_warnings(every_type):
    quiz, result, _markdown = every_type
    assert (quiz.title, quiz.pass_mark, quiz.partial) == ("Savings check", 60, True)
    assert [str(p) for p in result.problems if "category" in p.message] == [
        "every-type.gift:5: warning: category '$course$/Money basics/Day 2' ignored: "
        "a quiz.md has no categories"
    ]
    assert result.skipped == 0
    assert [q.id for q in quiz.questions] == [
        "save-first", "Good-habits-pick-all", "weights", "tf-sms", "tf-plain", "otp", "pin",
        "fee", "range", "several", "escapes",
    ]  # fmt: skip


def test_import_single_choice_with_per_choice_and_general_feedback(every_type):
    question = every_type[0].question("save-first")
    assert question.kind is QuestionKind.SINGLE
    assert [(c.text, c.correct) for c in question.choices] == [
        ("Put the savings share aside", True),
        ("Spend it on stock", False),
        ("Wait until the end of the month", False),
    ]
    assert "Paying yourself first" in question.choices[0].feedback_html
    assert question.choices[1].feedback_html == ""
    assert "Most of it is gone" in question.choices[2].feedback_html
    assert "Saving first" in question.feedback_html


def test_import_weights_positive_correct_zero_or_negative_wrong(every_type):
    habits = every_type[0].question("Good-habits-pick-all")
    assert habits.kind is QuestionKind.MULTIPLE
    assert [c.correct for c in habits.choices] == [True, True, False]
    assert habits.text == "Which of these are good money habits?"
    assert "Think about a normal week." in habits.body_html  # the rest of the text is the body
    weights = every_type[0].question("weights")
    assert [c.correct for c in weights.choices] == [True, True, False]  # 100%, 25%, 0%
    assert "Only in part" in weights.choices[1].feedback_html


def test_import_true_false_feedback_goes_to_the_wrong_and_the_right_choice(every_type):
    sms = every_type[0].question("tf-sms")
    assert [(c.text, c.correct) for c in sms.choices] == [("True", False), ("False", True)]
    assert "They never do" in sms.choices[0].feedback_html  # wrong answer: True
    assert "a bank never asks" in sms.choices[1].feedback_html  # right answer: False
    assert "yours alone" in sms.feedback_html
    plain = every_type[0].question("tf-plain")
    assert [(c.text, c.correct) for c in plain.choices] == [("True", True), ("False", False)]


def test_import_short_answer_keeps_credited_answers(every_type):
    otp = every_type[0].question("otp")
    assert otp.kind is QuestionKind.SHORT
    assert otp.accepted == ("one-time password", "one time pin")
    assert "OTP means" in otp.feedback_html
    assert any("'open the phone' has no credit" in p.message for p in every_type[1].problems)


def test_import_numerical_n_tolerance_range_and_several(every_type):
    quiz, result, _ = every_type
    values = {
        qid: (quiz.question(qid).value, quiz.question(qid).tolerance)
        for qid in ("pin", "fee", "range", "several")
    }
    assert values == {
        "pin": (Decimal(1000000), Decimal(0)),
        "fee": (Decimal(25), Decimal("0.5")),
        "range": (Decimal(5), Decimal(2)),  # 3..7 is 5 ± 2
        "several": (Decimal(25), Decimal(0)),  # the full-credit answer is kept
    }
    assert "from 3 to 7" in quiz.question("range").feedback_html
    assert "Exactly." in quiz.question("several").feedback_html
    warning = next(p for p in result.problems if "'25:3'" in p.message)
    assert (warning.severity, warning.line) == ("warning", 44)  # the question's first line


def test_import_escapes(every_type):
    question = every_type[0].question("escapes")
    assert question.text == "Type the characters ~ = # { } : and a backslash \\"
    assert question.choices[0].text == "a ~ b = c"
    assert "{braces} and a colon: here" in question.choices[0].feedback_html


def test_unsupported_types_are_reported_file_line_and_exit_1(tmp_path):
    runner = CliRunner()
    out = tmp_path / "quiz.md"
    result = runner.invoke(
        main, ["courses", "import-gift", str(DATA / "unsupported.gift"), "--out", str(out)]
    )
    assert result.exit_code == 1
    name = str(DATA / "unsupported.gift")
    lines = [line for line in result.stderr.splitlines() if line.startswith(name)]
    assert lines == [
        f"{name}:3: matching questions are not supported; question skipped",
        f"{name}:8: essay questions (empty {{ }}) are not supported; question skipped",
        f"{name}:10: missing-word questions (text after the answers) are not supported; "
        "question skipped",
        f"{name}:12: a description (no answers in {{ }}) is not a question a quiz can hold; "
        "question skipped",
    ]
    assert "1 question(s) imported, 4 skipped" in result.stderr
    quiz = parsed(out.read_text())
    assert [q.id for q in quiz.questions] == ["ok"]
    assert quiz.title == "Unsupported"


def test_import_of_a_clean_file_exits_0_and_prints_the_quiz():
    result = CliRunner().invoke(main, ["courses", "import-gift", str(DATA / "every-type.gift")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("---\ntitle: Savings check\n")
    assert "## What do the letters OTP stand for? {#otp}" in result.stdout


EVERY_TYPE_MD = """---
title: Export check
pass_mark: 80
---

## Pick one: is it {safe}? {#single}
A body line with a colon: here.

- [ ] No
  > Because a = b
- [x] Yes
> General # feedback

## Pick all {#multi}
- [x] A
- [x] B
- [x] C
- [ ] D
  > Not D

## True or false: saving is good. {#tf}
- [x] True
- [ ] False
  > It is.

## How much? {#num}
= 3000 ± 50

## Exact? {#exact}
= 12.5 ± 0
> Only 12.5.

## OTP means? {#short}
= one-time password | one time password
"""


def test_export_writes_every_type():
    gift = exported(EVERY_TYPE_MD)
    assert "// title: Export check\n// pass_mark: 80\n// partial: false\n" in gift
    assert (
        "::single::[markdown]Pick one\\: is it \\{safe\\}?\n"
        "A body line with a colon\\: here. {\n"
        "\t~No#Because a \\= b\n\t=Yes\n\t####General \\# feedback\n}"
    ) in gift
    assert "\t~%33.33333%A\n\t~%33.33333%B\n\t~%33.33333%C\n\t~%-100%D#Not D\n" in gift
    assert "::tf::[markdown]True or false\\: saving is good. {TRUE#It is.}" in gift
    assert "::num::[markdown]How much? {\n\t#3000:50\n}" in gift
    assert "::exact::[markdown]Exact? {\n\t#12.5\n\t####Only 12.5.\n}" in gift
    assert "::short::[markdown]OTP means? {\n\t=one-time password\n\t=one time password\n}" in gift


def comparable(quiz):
    """What a round trip must keep: every question with its answers and feedback."""
    settings = (quiz.title, quiz.pass_mark, quiz.attempts, quiz.shuffle, quiz.partial)
    return settings, [replace(q, line=0) for q in quiz.questions]


def test_every_type_round_trips():
    original = parsed(EVERY_TYPE_MD)
    again, result, _ = imported(exported(EVERY_TYPE_MD))
    assert result.problems == []
    assert comparable(again) == comparable(original)


def test_escapes_and_blank_lines_round_trip():
    markdown = (
        "---\ntitle: Escapes\n---\n\n## Characters ~ = # { } : \\ here {#chars}\n\n"
        "First paragraph: {a}.\n\nSecond ~ paragraph.\n\n"
        "- [x] a ~ b = c # d\n  > {x}: y\n  >\n  > second line\n- [ ] \\ alone\n"
        "> General: one\n>\n> two\n"
    )
    again, _result, _ = imported(exported(markdown))
    assert comparable(again) == comparable(parsed(markdown))


FLAGSHIP_QUIZZES = sorted(
    [
        *FLAGSHIP.glob("day-*/quiz*.md"),
        *FLAGSHIP.glob("pre-test*.md"),
        *FLAGSHIP.glob("post-test*.md"),
    ]
)


@pytest.mark.parametrize("path", FLAGSHIP_QUIZZES, ids=lambda p: str(p.relative_to(FLAGSHIP)))
def test_round_trip_of_every_flagship_quiz(path, tmp_path):
    """quiz.md -> GIFT -> quiz.md through the real commands keeps every question."""
    runner = CliRunner()
    gift, back = tmp_path / "quiz.gift", tmp_path / "quiz.md"
    result = runner.invoke(main, ["courses", "export-gift", str(path), "--out", str(gift)])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(main, ["courses", "import-gift", str(gift), "--out", str(back)])
    assert result.exit_code == 0, result.stderr
    assert "skipped" in result.stderr and " 0 skipped" in result.stderr
    original = parsed(path.read_text(encoding="utf-8"))
    assert comparable(parsed(back.read_text(encoding="utf-8"))) == comparable(original)


def test_flagship_round_trip_covers_every_question_kind():
    kinds = {q.kind for path in FLAGSHIP_QUIZZES for q in parsed(path.read_text()).questions}
    assert kinds == set(QuestionKind)


def test_export_of_a_broken_quiz_reports_path_line_and_exits_1(tmp_path):
    broken = tmp_path / "quiz.md"
    broken.write_text("---\ntitle: Broken\n---\n\n## No answer here\n- [ ] a\n- [ ] b\n")
    result = CliRunner().invoke(main, ["courses", "export-gift", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:5: question has no correct answer (mark one [x])" in result.stderr
    assert result.stdout == ""
