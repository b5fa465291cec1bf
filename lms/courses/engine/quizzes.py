"""Parses the quiz syntax of DESIGN.md (`## question`, task-list choices, `= answer`).

Used for day quizzes, the pre-test and the post-test. Returns a `Quiz` and the problems
found, each with the line it is on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lms.courses.engine.frontmatter import Document
from lms.courses.engine.model import Choice, Problem, Question, QuestionKind, Quiz
from lms.courses.engine.render import render_inline, render_markdown

QUIZ_KEYS = {"title", "pass_mark", "attempts", "shuffle", "partial"}

HEADING_RE = re.compile(r"^##\s+(?P<text>.+?)\s*(?:\{#(?P<id>[A-Za-z0-9_-]+)\})?\s*$")
CHOICE_RE = re.compile(r"^[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.+?)\s*$")
CHOICE_FEEDBACK_RE = re.compile(r"^(?:\s{2,}|\t)>\s?(?P<text>.*)$")
FEEDBACK_RE = re.compile(r"^>\s?(?P<text>.*)$")
ANSWER_RE = re.compile(r"^=\s*(?P<text>.*?)\s*$")
NUMERIC_RE = re.compile(r"^(?P<value>[^±]+?)\s*(?:(?:±|\+-|\+/-)\s*(?P<tol>.+))?$")
NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


@dataclass
class Draft:
    """A question as written: its lines kept as markdown (GIFT export reads these)."""

    line: int
    text: str
    id: str | None
    body: list[str] = field(default_factory=list)
    choices: list[list] = field(default_factory=list)  # [text, correct, feedback lines]
    answer: str | None = None
    answer_line: int = 0
    feedback: list[str] = field(default_factory=list)


def _int_setting(meta, key, default, low, high, doc, path, problems) -> int:
    value = meta.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        line = doc.key_lines.get(key, 1)
        problems.append(Problem(path, line, f"{key} must be a whole number from {low} to {high}"))
        return default
    return value


def _bool_setting(meta, key, default, doc, path, problems) -> bool:
    value = meta.get(key, default)
    if not isinstance(value, bool):
        problems.append(Problem(path, doc.key_lines.get(key, 1), f"{key} must be true or false"))
        return default
    return value


def _number(text: str) -> Decimal | None:
    text = text.strip()
    if not NUMBER_RE.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already guards this
        return None


def read_drafts(doc: Document, path: str, problems: list[Problem]) -> tuple[list[Draft], str]:
    """The questions as written (markdown kept) and the intro text before the first one."""
    drafts: list[Draft] = []
    intro: list[str] = []
    in_fence = False
    for offset, line in enumerate(doc.body.splitlines()):
        number = doc.body_line + offset
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        heading = None if in_fence else HEADING_RE.match(line)
        if heading:
            drafts.append(Draft(line=number, text=heading["text"], id=heading["id"]))
            continue
        if not drafts:
            intro.append(line)
            continue
        draft = drafts[-1]
        if in_fence or not line.strip():
            (draft.feedback if draft.feedback else draft.body).append(line)
            continue
        if match := CHOICE_RE.match(line):
            if draft.answer is not None or draft.feedback:
                problems.append(Problem(path, number, "choice after the answer or feedback"))
            draft.choices.append([match["text"], match["mark"] in "xX", []])
        elif (match := CHOICE_FEEDBACK_RE.match(line)) and draft.choices and not draft.feedback:
            draft.choices[-1][2].append(match["text"])
        elif match := ANSWER_RE.match(line):
            if draft.answer is not None:
                problems.append(Problem(path, number, "a question has only one `=` answer line"))
            if draft.choices:
                problems.append(Problem(path, number, "a question has choices or `=`, not both"))
            draft.answer, draft.answer_line = match["text"], number
        elif match := FEEDBACK_RE.match(line):
            draft.feedback.append(match["text"])
        elif draft.choices or draft.answer is not None or draft.feedback:
            problems.append(
                Problem(
                    path, number, "unexpected text after the answers (feedback lines start with >)"
                )
            )
        else:
            draft.body.append(line)
    return drafts, "\n".join(intro).strip()


def _build_question(draft: Draft, position: int, path: str, problems: list[Problem]) -> Question:
    qid = draft.id or f"q{position}"
    common = dict(
        id=qid,
        text=draft.text,
        text_html=render_inline(draft.text),
        body_html=render_markdown("\n".join(draft.body).strip()) if any(draft.body) else "",
        feedback_html=render_markdown("\n".join(draft.feedback)) if draft.feedback else "",
        line=draft.line,
    )
    if draft.choices:
        choices = tuple(
            Choice(
                text=text,
                html=render_inline(text),
                correct=correct,
                feedback_html=render_markdown("\n".join(fb)) if fb else "",
            )
            for text, correct, fb in draft.choices
        )
        correct = sum(c.correct for c in choices)
        if len(choices) < 2:
            problems.append(
                Problem(path, draft.line, "a choice question needs at least two choices")
            )
        if correct == 0:
            problems.append(
                Problem(path, draft.line, "question has no correct answer (mark one [x])")
            )
        kind = QuestionKind.MULTIPLE if correct > 1 else QuestionKind.SINGLE
        return Question(kind=kind, choices=choices, **common)
    if draft.answer is None:
        problems.append(
            Problem(path, draft.line, "question has no answers (add - [x] choices or an = line)")
        )
        return Question(kind=QuestionKind.SHORT, **common)
    numeric = NUMERIC_RE.match(draft.answer)
    has_tolerance = numeric is not None and numeric["tol"] is not None
    value = _number(numeric["value"]) if numeric else None
    if has_tolerance or value is not None:
        tolerance = _number(numeric["tol"]) if has_tolerance else Decimal(0)
        if value is None:
            problems.append(
                Problem(
                    path, draft.answer_line, f"numeric answer {numeric['value']!r} is not a number"
                )
            )
        if tolerance is None or (tolerance is not None and tolerance < 0):
            problems.append(
                Problem(path, draft.answer_line, f"tolerance {numeric['tol']!r} is not a number")
            )
        return Question(
            kind=QuestionKind.NUMERIC, value=value, tolerance=tolerance or Decimal(0), **common
        )
    accepted = tuple(alt.strip() for alt in draft.answer.split("|") if alt.strip())
    if not accepted:
        problems.append(
            Problem(path, draft.answer_line, "question has no correct answer after `=`")
        )
    return Question(kind=QuestionKind.SHORT, accepted=accepted, **common)


def parse_quiz(
    doc: Document,
    *,
    key: str,
    path: str,
    language: str,
    default_pass_mark: int = 70,
    default_attempts: int = 0,
) -> tuple[Quiz, list[Problem]]:
    """Build a `Quiz` from a parsed document; problems carry `path:line`."""
    problems: list[Problem] = []
    meta = doc.meta
    for unknown in sorted(set(meta) - QUIZ_KEYS):
        problems.append(
            Problem(path, doc.key_lines.get(unknown, 1), f"unknown front-matter key {unknown!r}")
        )
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(path, doc.key_lines.get("title", 1), "quiz needs a title"))
        title = key
    pass_mark = _int_setting(meta, "pass_mark", default_pass_mark, 0, 100, doc, path, problems)
    attempts = _int_setting(meta, "attempts", default_attempts, 0, 1000, doc, path, problems)
    shuffle = _bool_setting(meta, "shuffle", False, doc, path, problems)
    partial = _bool_setting(meta, "partial", False, doc, path, problems)

    drafts, intro = read_drafts(doc, path, problems)
    if not drafts:
        problems.append(
            Problem(path, doc.body_line, "quiz has no questions (one `## ` heading each)")
        )
    questions = []
    seen: dict[str, int] = {}
    for position, draft in enumerate(drafts, start=1):
        question = _build_question(draft, position, path, problems)
        if question.id in seen:
            problems.append(
                Problem(
                    path,
                    draft.line,
                    f"question id {question.id!r} is also used on line {seen[question.id]}",
                )
            )
        seen[question.id] = draft.line
        questions.append(question)
    quiz = Quiz(
        key=key,
        title=title,
        pass_mark=pass_mark,
        attempts=attempts,
        shuffle=shuffle,
        partial=partial,
        questions=tuple(questions),
        intro_html=render_markdown(intro) if intro else "",
        language=language,
        source=path,
    )
    return quiz, problems


def compare_translation(original: Quiz, translation: Quiz, path: str) -> list[Problem]:
    """A translated quiz must ask the same questions, with the same correct answers."""
    problems = []
    if len(translation.questions) != len(original.questions):
        problems.append(
            Problem(
                path,
                1,
                f"translation has {len(translation.questions)} questions, "
                f"the original {original.source} has {len(original.questions)}",
            )
        )
    for ours, theirs in zip(translation.questions, original.questions, strict=False):
        if ours.shape() != theirs.shape():
            problems.append(
                Problem(
                    path,
                    ours.line,
                    f"question differs from {original.source}:{theirs.line}: "
                    "same type, choices and correct answers expected",
                )
            )
    return problems
