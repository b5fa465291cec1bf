"""GIFT to the engine's `Draft` questions, reporting what cannot be held as `FILE:LINE`.

Supported: single and multiple choice (percentage weights), true/false, short answer,
numerical (`n`, `n:tolerance`, `min..max`, several answers), per-answer and general
feedback, `::name::` (the question id), escapes, `//` comments. Matching, essay, missing
word and description questions are reported and skipped; `$CATEGORY` lines are warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml

from lms.courses.engine.model import Problem
from lms.courses.engine.quizzes import Draft
from lms.courses.gift.text import find_unescaped, number_text, split_unescaped, unescape

FORMAT_RE = re.compile(r"^\s*\[(?:html|moodle|plain|markdown)\]", re.IGNORECASE)
SETTING_RE = re.compile(
    r"^//\s*(?P<key>title|pass_mark|attempts|shuffle|partial):\s*(?P<value>.+)$"
)
TRUE_FALSE_RE = re.compile(r"^(?P<value>TRUE|FALSE|T|F)(?=$|#)", re.IGNORECASE)
WEIGHT_RE = re.compile(r"^%(?P<weight>-?\d+(?:\.\d+)?)%")
ID_RE = re.compile(r"[^A-Za-z0-9_-]+")


class Skip(Exception):
    """A question this project cannot hold: reported as FILE:LINE and left out."""


@dataclass
class GiftImport:
    """What a GIFT file became: questions, quiz settings, and every problem found."""

    drafts: list[Draft] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    partial: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return sum(1 for problem in self.problems if problem.severity == "error")


def parse_gift(text: str, path: str) -> GiftImport:
    """Read a GIFT file; `path` names it in problems."""
    result = GiftImport()
    for line, block in _blocks(text, path, result):
        try:
            draft = _question(block, line, path, result)
        except Skip as reason:
            result.problems.append(Problem(path, line, f"{reason}; question skipped"))
            continue
        used = {d.id for d in result.drafts}
        if draft.id in used:
            base, number = draft.id, 2
            while f"{base}-{number}" in used:
                number += 1
            draft.id = f"{base}-{number}"
        result.drafts.append(draft)
    return result


def _blocks(text: str, path: str, result: GiftImport):
    """Questions are separated by blank lines; comment and $CATEGORY lines are set aside."""
    lines: list[str] = []
    start = 0
    for number, raw in enumerate([*text.removeprefix("\ufeff").splitlines(), ""], start=1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            if not result.drafts and not lines and (setting := SETTING_RE.match(stripped)):
                result.settings[setting["key"]] = yaml.safe_load(setting["value"])
            continue
        if stripped.startswith("$CATEGORY:"):
            message = f"category {stripped[10:].strip()!r} ignored: a quiz.md has no categories"
            result.problems.append(Problem(path, number, message, "warning"))
            continue
        if stripped:
            start = start or number
            lines.append(raw)
        elif lines:
            yield start, "\n".join(lines)
            lines, start = [], 0


def _question(block: str, line: int, path: str, result: GiftImport) -> Draft:
    block = block.strip()
    name = ""
    if block.startswith("::"):
        end = find_unescaped(block, "::", 2)
        if end < 0:
            raise Skip("question name starts with :: but never ends")
        name, block = unescape(block[2:end]).strip(), block[end + 2 :]
    opening = find_unescaped(block, "{")
    closing = _last_unescaped(block, "}")
    if opening < 0 or closing < opening:
        raise Skip("a description (no answers in { }) is not a question a quiz can hold")
    if block[closing + 1 :].strip():
        raise Skip("missing-word questions (text after the answers) are not supported")
    text = unescape(FORMAT_RE.sub("", block[:opening], count=1)).strip()
    heading, _, body = text.partition("\n")
    qid = ID_RE.sub("-", name).strip("-") or None
    draft = Draft(line=line, text=" ".join(heading.split()) or name, id=qid)
    if not draft.text:
        raise Skip("question has no text")
    draft.body = body.strip().splitlines() if body.strip() else []
    _answers(block[opening + 1 : closing], draft, path, result)
    return draft


def _last_unescaped(text: str, target: str) -> int:
    found, index = -1, find_unescaped(text, target)
    while index >= 0:
        found, index = index, find_unescaped(text, target, index + 1)
    return found


def _answers(inner: str, draft: Draft, path: str, result: GiftImport) -> None:
    general = ""
    cut = find_unescaped(inner, "####")
    if cut >= 0:
        inner, general = inner[:cut], unescape(inner[cut + 4 :]).strip()
    draft.feedback = general.splitlines() if general else []
    inner = inner.strip()
    if not inner:
        raise Skip("essay questions (empty { }) are not supported")
    if inner.startswith("#"):
        return _numerical(inner[1:], draft, path, result)
    if match := TRUE_FALSE_RE.match(inner):
        return _true_false(match["value"].upper().startswith("T"), inner, draft)
    answers = [(mark, piece) for mark, piece in split_unescaped(inner, "=~") if mark]
    if not answers:
        raise Skip("no answers found between { and }")
    if all(mark == "=" for mark, _ in answers):
        if any(find_unescaped(piece, "->") >= 0 for _, piece in answers):
            raise Skip("matching questions are not supported")
        return _short(answers, draft, path, result)
    return _choices(answers, draft, result)


def _weighted(mark: str, piece: str) -> tuple[Decimal, str, str]:
    """(weight in percent, answer text, feedback) of one `=`/`~` answer."""
    weight = Decimal(100) if mark == "=" else Decimal(0)
    piece = piece.strip()
    if match := WEIGHT_RE.match(piece):
        weight, piece = Decimal(match["weight"]), piece[match.end() :]
    parts = split_unescaped(piece, "#")
    answer = unescape(parts[0][1]).strip()
    feedback = unescape("#".join(p for _, p in parts[1:])).strip()
    return weight, answer, feedback


def _note_partial(weight: Decimal, result: GiftImport) -> None:
    if 0 < weight < 100:
        result.partial = True


def _true_false(value: bool, inner: str, draft: Draft) -> None:
    parts = [unescape(piece).strip() for _, piece in split_unescaped(inner, "#")]
    wrong = parts[1] if len(parts) > 1 else ""
    right = parts[2] if len(parts) > 2 else ""
    true_fb, false_fb = (right, wrong) if value else (wrong, right)
    draft.choices = [
        ["True", value, true_fb.splitlines()],
        ["False", not value, false_fb.splitlines()],
    ]


def _choices(answers, draft: Draft, result: GiftImport) -> None:
    for mark, piece in answers:
        weight, text, feedback = _weighted(mark, piece)
        _note_partial(weight, result)
        draft.choices.append([" ".join(text.split()), weight > 0, feedback.splitlines()])
    if not any(correct for _text, correct, _fb in draft.choices):
        raise Skip("no choice has a positive weight, so the question has no correct answer")


def _short(answers, draft: Draft, path: str, result: GiftImport) -> None:
    accepted = []
    for mark, piece in answers:
        weight, text, feedback = _weighted(mark, piece)
        if weight <= 0:
            message = f"short answer {text!r} has no credit and was left out"
            result.problems.append(Problem(path, draft.line, message, "warning"))
            continue
        if "|" in text:
            raise Skip(f"short answer {text!r} contains |, which separates answers in quiz.md")
        _note_partial(weight, result)
        accepted.append(" ".join(text.split()))
        _keep_feedback(feedback, draft, path, result)
    if not accepted:
        raise Skip("short-answer question has no answer with credit")
    draft.answer = " | ".join(accepted)


def _keep_feedback(feedback: str, draft: Draft, path: str, result: GiftImport) -> None:
    """quiz.md has no per-answer feedback for typed answers: it becomes general feedback."""
    if not feedback:
        return
    if draft.feedback:
        message = f"answer feedback {feedback[:40]!r} dropped: the question has general feedback"
        result.problems.append(Problem(path, draft.line, message, "warning"))
    else:
        draft.feedback = feedback.splitlines()


def _numerical(inner: str, draft: Draft, path: str, result: GiftImport) -> None:
    inner = inner.strip()
    answers = [(mark, piece) for mark, piece in split_unescaped(inner, "=") if mark]
    if not answers:
        answers = [("=", inner)]
    elif split_unescaped(inner, "=")[0][1].strip():
        raise Skip("numerical answers mix a bare number and = answers")
    parsed = []
    for mark, piece in answers:
        weight, text, feedback = _weighted(mark, piece)
        parsed.append((weight, _number_answer(text), feedback, text))
    full = next((item for item in parsed if item[0] >= 100), None)
    if full is None:
        raise Skip("numerical question has no full-credit answer")
    for item in parsed:
        if item is not full:
            message = f"numerical answer {item[3]!r} ({number_text(item[0])}%) left out"
            result.problems.append(Problem(path, draft.line, message, "warning"))
    value, tolerance = full[1]
    draft.answer = f"{number_text(value)} ± {number_text(tolerance)}"
    _keep_feedback(full[2], draft, path, result)


def _number_answer(text: str) -> tuple[Decimal, Decimal]:
    """`n`, `n:tolerance` or `min..max` as (value, tolerance)."""
    try:
        if ".." in text:
            low, high = (Decimal(part.strip()) for part in text.split("..", 1))
            return (low + high) / 2, abs(high - low) / 2
        value, _, tolerance = text.partition(":")
        return Decimal(value.strip()), abs(Decimal(tolerance.strip() or "0"))
    except InvalidOperation:
        raise Skip(f"numerical answer {text!r} is not a number") from None
