"""Writes `Draft` questions (from GIFT) as a quiz.md in this project's quiz syntax."""

from __future__ import annotations

import yaml

from lms.courses.engine.quizzes import Draft
from lms.courses.gift.parse import GiftImport, parse_gift


def gift_to_quiz(text: str, path: str, default_title: str) -> tuple[str, GiftImport]:
    """A GIFT file as quiz.md text, and what was found on the way (problems, skipped)."""
    result = parse_gift(text, path)
    settings = dict(result.settings)
    title = settings.pop("title", None) or default_title
    partial = bool(settings.pop("partial", result.partial))
    return quiz_markdown(result.drafts, settings, title=str(title), partial=partial), result


def quiz_markdown(drafts: list[Draft], settings: dict, *, title: str, partial: bool) -> str:
    """A quiz.md: front matter, then one `##` heading per question with its answers."""
    meta = {"title": title, **settings}
    if partial:
        meta["partial"] = True
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).strip()
    parts = [f"---\n{front}\n---"]
    for draft in drafts:
        parts.append(_question(draft))
    return "\n\n".join(parts) + "\n"


def _quoted(lines: list[str], prefix: str) -> list[str]:
    return [f"{prefix}{line}".rstrip() for line in lines]


def _question(draft: Draft) -> str:
    heading = f"## {draft.text}" + (f" {{#{draft.id}}}" if draft.id else "")
    lines = [heading]
    body = "\n".join(draft.body).strip()
    if body:
        lines += ["", body, ""]
    for text, correct, feedback in draft.choices:
        lines.append(f"- [{'x' if correct else ' '}] {text}")
        lines += _quoted(feedback, "  > ")
    if draft.answer is not None:
        lines.append(f"= {draft.answer}")
    lines += _quoted(draft.feedback, "> ")
    return "\n".join(lines)
