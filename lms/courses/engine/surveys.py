"""Parses `survey.md`, the end-of-course feedback survey, in the quiz syntax without answers.

`- [ ]` lines are choices (one may be picked), `= 1..5` is a rating scale, and a question
with neither takes free text. Pure: no Flask, no database. `load_survey_files` reads the
original and its translations, which must ask the same questions in the same shape.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from lms.courses.engine.context import LoadContext
from lms.courses.engine.frontmatter import Document
from lms.courses.engine.model import Problem, Survey, SurveyQuestion, frozen_map
from lms.courses.engine.quizzes import CHOICE_RE, HEADING_RE
from lms.courses.engine.render import render_inline, render_markdown

SURVEY_KEYS = {"title"}
RATING_RE = re.compile(r"^=\s*(?P<low>\d+)\s*\.\.\s*(?P<high>\d+)\s*$")


def _question(draft: dict, position: int, path: str, problems: list[Problem]) -> SurveyQuestion:
    common = dict(
        id=draft["id"] or f"q{position}",
        text=draft["text"],
        text_html=render_inline(draft["text"]),
        line=draft["line"],
    )
    if draft["rating"] is not None and draft["choices"]:
        problems.append(Problem(path, draft["line"], "a question has choices or `=`, not both"))
    if draft["rating"] is not None:
        low, high = draft["rating"]
        if not 0 <= low < high <= 10:
            problems.append(
                Problem(path, draft["line"], "a rating scale is `= low..high`, e.g. `= 1..5`")
            )
            low, high = 1, 5
        return SurveyQuestion(kind="rating", low=low, high=high, **common)
    if draft["choices"]:
        if len(draft["choices"]) < 2:
            problems.append(Problem(path, draft["line"], "a choice question needs two choices"))
        return SurveyQuestion(kind="choice", choices=tuple(draft["choices"]), **common)
    return SurveyQuestion(kind="text", **common)


def parse_survey(doc: Document, *, path: str, language: str) -> tuple[Survey, list[Problem]]:
    """Build a `Survey`; problems carry `path:line`."""
    problems: list[Problem] = []
    for unknown in sorted(set(doc.meta) - SURVEY_KEYS):
        line = doc.key_lines.get(unknown, 1)
        problems.append(Problem(path, line, f"unknown front-matter key {unknown!r}"))
    title = doc.meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(path, doc.key_lines.get("title", 1), "survey needs a title"))
        title = "Survey"
    drafts: list[dict] = []
    intro: list[str] = []
    for offset, line in enumerate(doc.body.splitlines()):
        number = doc.body_line + offset
        if heading := HEADING_RE.match(line):
            drafts.append(
                {"line": number, "text": heading["text"], "id": heading["id"], "choices": []}
                | {"rating": None}
            )
        elif not drafts:
            intro.append(line)
        elif not line.strip():
            continue
        elif choice := CHOICE_RE.match(line):
            if choice["mark"] != " ":
                problems.append(Problem(path, number, "survey choices are not marked: `- [ ]`"))
            drafts[-1]["choices"].append(choice["text"])
        elif rating := RATING_RE.match(line.strip()):
            drafts[-1]["rating"] = (int(rating["low"]), int(rating["high"]))
        elif line.startswith("="):
            problems.append(Problem(path, number, "a survey's `=` line is a scale: `= 1..5`"))
        else:
            problems.append(
                Problem(path, number, "unexpected text: use `- [ ]` choices or `= 1..5`")
            )
    if not drafts:
        problems.append(Problem(path, doc.body_line, "survey has no questions (`## ` headings)"))
    questions, seen = [], set()
    for position, draft in enumerate(drafts, start=1):
        question = _question(draft, position, path, problems)
        if question.id in seen:
            problems.append(Problem(path, draft["line"], f"question id {question.id!r} repeats"))
        seen.add(question.id)
        questions.append(question)
    intro_text = "\n".join(intro).strip()
    survey = Survey(
        title=title,
        questions=tuple(questions),
        intro_html=render_markdown(intro_text) if intro_text else "",
        language=language,
        source=path,
    )
    return survey, problems


def load_survey_files(ctx: LoadContext, folder: Path) -> Survey | None:
    """`survey.md` and its translations `survey.<lang>.md`, checked against the original."""
    path = folder / "survey.md"
    if not path.is_file():
        for stray in folder.glob("survey.*.md"):
            ctx.error(stray, 1, "translation without an original survey.md")
        return None
    survey = _parse_file(ctx, path, ctx.language)
    if survey is None:
        return None
    translated = {}
    for file in sorted(folder.glob("survey.*.md")):
        lang = file.name.split(".")[1]
        if not ctx.accepts_language(file, lang):
            continue
        other = _parse_file(ctx, file, lang)
        if other is None:
            continue
        if [q.shape() for q in other.questions] != [q.shape() for q in survey.questions]:
            ctx.error(file, 1, f"translation asks different questions from {survey.source}")
            continue
        questions = tuple(
            replace(q, id=o.id) for q, o in zip(other.questions, survey.questions, strict=True)
        )
        translated[lang] = replace(other, questions=questions)
    return replace(survey, translations=frozen_map(translated))


def _parse_file(ctx: LoadContext, path: Path, language: str) -> Survey | None:
    doc = ctx.read(path)
    if doc is None:
        return None
    survey, problems = parse_survey(doc, path=ctx.display(path), language=language)
    ctx.problems.extend(problems)
    return survey
