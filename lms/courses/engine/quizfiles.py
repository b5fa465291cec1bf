"""Loading a quiz file and its translations (`quiz.md`, `quiz.ur.md`, `pre-test.md` ...)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lms.courses.engine.context import LoadContext as _Ctx
from lms.courses.engine.links import LinkContext, check_and_rewrite
from lms.courses.engine.model import Quiz, frozen_map
from lms.courses.engine.quizzes import compare_translation, parse_quiz


def load_quiz_files(
    ctx: _Ctx, folder: Path, name: str, *, key: str | None = None, attempts: int = 0
) -> Quiz | None:
    path = folder / f"{name}.md"
    if not path.is_file():
        for stray in folder.glob(f"{name}.*.md"):
            ctx.error(stray, 1, f"translation without an original {name}.md")
        return None
    quiz = _parse_quiz_file(ctx, path, key or name, ctx.language, attempts)
    if quiz is None:
        return None
    translated: dict[str, Quiz] = {}
    for file in sorted(folder.glob(f"{name}.*.md")):
        lang = file.name.split(".")[1]
        if not ctx.accepts_language(file, lang):
            continue
        other = _parse_quiz_file(ctx, file, key or name, lang, attempts)
        if other is None:
            continue
        ctx.problems.extend(compare_translation(quiz, other, ctx.display(file)))
        # A translation asks the same questions: it takes the original's ids and settings.
        questions = tuple(
            replace(q, id=orig.id) for q, orig in zip(other.questions, quiz.questions, strict=False)
        )
        translated[lang] = replace(
            other,
            questions=questions,
            pass_mark=quiz.pass_mark,
            attempts=quiz.attempts,
            shuffle=quiz.shuffle,
            partial=quiz.partial,
        )
    return replace(quiz, translations=frozen_map(translated))


def _parse_quiz_file(ctx: _Ctx, path: Path, key: str, language: str, attempts: int) -> Quiz | None:
    doc = ctx.read(path)
    if doc is None:
        return None
    links = LinkContext(root=ctx.root, lesson_files=ctx.lesson_files, depth=1)
    body, problems = check_and_rewrite(doc.body, doc.body_line, path, ctx.display(path), links)
    ctx.problems.extend(problems)
    doc = replace(doc, body=body)
    quiz, problems = parse_quiz(
        doc,
        key=key,
        path=ctx.display(path),
        language=language,
        default_pass_mark=ctx.pass_mark,
        default_attempts=attempts,
    )
    ctx.problems.extend(problems)
    return quiz
