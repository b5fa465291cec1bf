"""quiz.md to GIFT: every question with its name, text, answers and feedback.

Correct choices of a multiple-choice question get equal weights and wrong ones -100%, so a
round trip keeps questions, answers and feedback (not fractional weights). A two-choice
question whose choices are "True" and "False" (in that order) is written as GIFT true/false.
The quiz's settings travel as `// key: value` comments, which `import-gift` reads back
(an explicit `// partial:` wins over the partial credit the weights imply).
"""

from __future__ import annotations

from decimal import Decimal

import yaml

from lms.courses.engine.frontmatter import FrontMatterError, parse_document
from lms.courses.engine.model import Problem, Question, QuestionKind
from lms.courses.engine.quizzes import NUMERIC_RE, Draft, parse_quiz, read_drafts
from lms.courses.gift.text import escape, escape_block, number_text

SETTINGS = ("title", "pass_mark", "attempts", "shuffle")  # as written; `partial` always


def quiz_to_gift(source: str, path: str) -> tuple[str, list[Problem]]:
    """The GIFT text of a quiz.md, and its problems; the text is empty when it has errors."""
    try:
        doc = parse_document(source)
    except FrontMatterError as error:
        return "", [Problem(path, error.line, error.message)]
    quiz, problems = parse_quiz(doc, key="quiz", path=path, language="en")
    if any(problem.severity == "error" for problem in problems):
        return "", problems
    drafts, _intro = read_drafts(doc, path, [])
    lines = [f"// Exported from {path.rsplit('/', 1)[-1]} by the Literacy LMS"]
    for key in SETTINGS:
        if key in doc.meta:
            value = yaml.safe_dump(doc.meta[key], default_flow_style=True, allow_unicode=True)
            lines.append(f"// {key}: {value.strip().removesuffix('...').strip()}")
    lines.append(f"// partial: {'true' if quiz.partial else 'false'}")
    for draft, question in zip(drafts, quiz.questions, strict=True):
        lines += ["", _question(draft, question)]
    return "\n".join(lines) + "\n", problems


def _lines(lines: list[str]) -> str:
    return "\n".join(lines).strip()


def _one_line(lines: list[str]) -> str:
    """Feedback on one line: its line breaks become GIFT's `\\n`."""
    return escape(_lines(lines)).replace("\n", "\\n")


def _feedback(lines: list[str]) -> str:
    text = _one_line(lines)
    return "#" + text if text else ""


def _question(draft: Draft, question: Question) -> str:
    text = draft.text + ("\n" + _lines(draft.body) if _lines(draft.body) else "")
    head = f"::{escape(question.id)}::[markdown]{escape_block(text)} {{"
    general = _one_line(draft.feedback)
    tail = f"\t####{general}\n}}" if general else "}"
    if _is_true_false(question):
        return head + _true_false(draft) + (f"####{general}}}" if general else "}")
    if question.is_choice:
        return "\n".join([head, *_choices(draft, question), tail])
    if question.kind is QuestionKind.NUMERIC:
        match = NUMERIC_RE.match(draft.answer or "")
        value = Decimal(match["value"].strip())
        tolerance = Decimal(match["tol"].strip()) if match["tol"] else Decimal(0)
        answer = number_text(value) + (f":{number_text(tolerance)}" if tolerance else "")
        return "\n".join([head, f"\t#{answer}", tail])
    accepted = [alt.strip() for alt in (draft.answer or "").split("|") if alt.strip()]
    return "\n".join([head, *(f"\t={escape(alt)}" for alt in accepted), tail])


def _is_true_false(question: Question) -> bool:
    texts = [choice.text.strip().lower() for choice in question.choices]
    return question.kind is QuestionKind.SINGLE and texts == ["true", "false"]


def _true_false(draft: Draft) -> str:
    (_, true_correct, true_fb), (_, _, false_fb) = draft.choices
    right, wrong = (true_fb, false_fb) if true_correct else (false_fb, true_fb)
    answer = "TRUE" if true_correct else "FALSE"
    right_text, wrong_text = _feedback(right), _feedback(wrong)
    if right_text:
        return f"{answer}{wrong_text or '#'}{right_text}"
    return answer + wrong_text


def _choices(draft: Draft, question: Question) -> list[str]:
    correct = sum(1 for _text, is_correct, _fb in draft.choices if is_correct)
    weight = number_text((Decimal(100) / correct).quantize(Decimal("0.00001")))
    lines = []
    for text, is_correct, feedback in draft.choices:
        if question.kind is QuestionKind.SINGLE:
            mark = "=" if is_correct else "~"
        else:
            mark = f"~%{weight}%" if is_correct else "~%-100%"
        lines.append(f"\t{mark}{escape(text)}{_feedback(feedback)}")
    return lines
