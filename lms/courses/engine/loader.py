"""Loads a course folder into a `Course`, collecting every problem with its `path:line`.

A course with any error is not returned (the server skips it and logs why); warnings
are reported but do not stop it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from lms.courses.engine import safety
from lms.courses.engine.context import LoadContext as _Ctx
from lms.courses.engine.context import content_hash
from lms.courses.engine.frontmatter import Document
from lms.courses.engine.model import (
    Course,
    Day,
    Lesson,
    LessonText,
    Problem,
    frozen_map,
)
from lms.courses.engine.nudge_settings import parse_nudges
from lms.courses.engine.quizfiles import load_quiz_files
from lms.courses.engine.render import word_count
from lms.courses.engine.settings import parse_certificate, parse_completion
from lms.courses.engine.surveys import load_survey_files

COURSE_KEYS = {
    "title",
    "summary",
    "language",
    "languages",
    "completion",
    "certificate",
    "minutes",
    "tags",
    "nudges",
}
COURSE_TRANSLATION_KEYS = {"title", "summary"}
LESSON_KEYS = {"title", "minutes", "required"}
DAY_KEYS = {"title"}
COMPLETION_KEYS = {"lessons", "quizzes", "pass_mark"}
CERTIFICATE_KEYS = {"title", "issuer", "approval", "logo", "signatories"}

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANG_RE = re.compile(r"^[a-z]{2,3}$")
DAY_DIR_RE = re.compile(r"^day-(?P<number>\d+)(?:-[a-z0-9-]+)?$")
LESSON_FILE_RE = re.compile(
    r"^(?P<number>\d+)-(?P<slug>[a-z0-9][a-z0-9-]*?)(?:\.(?P<lang>[a-z]{2,3}))?\.md$"
)
SPECIAL_FILE_RE = re.compile(
    r"^(?P<name>course|day|quiz|pre-test|post-test|survey)(?:\.(?P<lang>[a-z]{2,3}))?\.md$"
)
WORDS_PER_MINUTE = 150


def load_courses(root: Path) -> tuple[dict[str, Course], list[Problem]]:
    """Load every course folder under `root`; return the valid ones and all problems."""
    courses: dict[str, Course] = {}
    problems: list[Problem] = []
    if not root.is_dir():
        return courses, [Problem(str(root), 1, "courses folder not found")]
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        course, found = load_course(folder)
        problems.extend(found)
        if course is not None:
            courses[course.slug] = course
    return courses, problems


def load_course(folder: Path) -> tuple[Course | None, list[Problem]]:
    """Load one course folder. The course is None when any error was found."""
    ctx = _Ctx(root=folder.resolve(), shown=folder)
    course_file = ctx.root / "course.md"
    if not SLUG_RE.match(ctx.root.name):
        ctx.error(
            course_file, 1, f"folder name {ctx.root.name!r} must be lowercase letters, digits and -"
        )
    if not course_file.is_file():
        ctx.error(course_file, 1, "missing course.md")
        return None, ctx.problems
    refused = safety.scan(ctx.root)  # before reading anything: links, huge files
    for path, reason in refused:
        ctx.error(path, 1, reason)
    if refused:
        return None, ctx.problems
    doc = ctx.read(course_file)
    if doc is None:
        return None, ctx.problems
    meta = _course_meta(ctx, doc, course_file)
    day_dirs = _day_dirs(ctx)
    _index_lessons(ctx, day_dirs)
    titles, summaries, overviews = _course_texts(ctx, doc, meta)
    days = tuple(_load_day(ctx, number, path) for number, path in day_dirs)
    pre_test = load_quiz_files(ctx, ctx.root, "pre-test", attempts=1)
    post_test = load_quiz_files(ctx, ctx.root, "post-test", attempts=1)
    if pre_test and post_test:
        pre_ids = [q.id for q in pre_test.questions]
        post_ids = [q.id for q in post_test.questions]
        if sorted(pre_ids) != sorted(post_ids):
            ctx.warn(
                ctx.root / "post-test.md",
                1,
                "post-test question ids differ from the pre-test's: "
                "knowledge gain per concept needs the same ids",
            )
    survey = load_survey_files(ctx, ctx.root)
    completion = parse_completion(
        ctx, doc, meta.get("completion"), days, has_post_test=post_test is not None
    )
    certificate = parse_certificate(ctx, doc, meta.get("certificate"))
    _check_root_files(ctx)
    course = Course(
        slug=ctx.root.name,
        path=ctx.root,
        content_hash=content_hash(ctx.root),
        language=ctx.language,
        languages=ctx.languages,
        titles=frozen_map(titles),
        summaries=frozen_map(summaries),
        overviews=frozen_map(overviews),
        days=days,
        pre_test=pre_test,
        post_test=post_test,
        completion=completion,
        certificate=certificate,
        has_certificate_template=(ctx.root / "certificate.html").is_file(),
        survey=survey,
        nudges=parse_nudges(ctx, doc, meta.get("nudges")),
    )
    if any(p.severity == "error" for p in ctx.problems):
        return None, ctx.problems
    return course, ctx.problems


def _course_meta(ctx: _Ctx, doc: Document, path: Path) -> dict:
    meta = doc.meta
    ctx.unknown_keys(doc, COURSE_KEYS, path)
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        ctx.error(path, doc.key_lines.get("title", 1), "course.md needs a title")
    language = meta.get("language", "en")
    if not isinstance(language, str) or not LANG_RE.match(language):
        ctx.error(
            path, doc.key_lines.get("language", 1), "language must be a code such as en, ur or id"
        )
        language = "en"
    languages = meta.get("languages", [language])
    if not isinstance(languages, list) or not all(
        isinstance(x, str) and LANG_RE.match(x) for x in languages
    ):
        ctx.error(
            path,
            doc.key_lines.get("languages", 1),
            "languages must be a list of codes, e.g. [en, ur, id]",
        )
        languages = [language]
    if language not in languages:
        languages = [language, *languages]
    ctx.language, ctx.languages = language, tuple(languages)
    completion = meta.get("completion")
    if isinstance(completion, dict) and isinstance(completion.get("pass_mark"), int):
        ctx.pass_mark = completion["pass_mark"]
    return meta


def _course_texts(ctx: _Ctx, doc: Document, meta: dict) -> tuple[dict, dict, dict]:
    titles = {ctx.language: str(meta.get("title") or ctx.root.name)}
    summaries = {ctx.language: str(meta.get("summary") or "")}
    overviews = {ctx.language: ctx.body_html(doc, ctx.root / "course.md", depth=0)}
    for path in sorted(ctx.root.glob("course.*.md")):
        lang = path.name.split(".")[1]
        if not ctx.accepts_language(path, lang) or (tdoc := ctx.read(path)) is None:
            continue
        ctx.unknown_keys(tdoc, COURSE_TRANSLATION_KEYS, path)
        if isinstance(tdoc.meta.get("title"), str):
            titles[lang] = tdoc.meta["title"]
        if isinstance(tdoc.meta.get("summary"), str):
            summaries[lang] = tdoc.meta["summary"]
        overviews[lang] = ctx.body_html(tdoc, path, depth=0)
    return titles, summaries, overviews


def _day_dirs(ctx: _Ctx) -> list[tuple[int, Path]]:
    found: dict[int, Path] = {}
    for path in sorted(p for p in ctx.root.iterdir() if p.is_dir()):
        match = DAY_DIR_RE.match(path.name)
        if path.name in ("media",) or path.name.startswith("."):
            continue
        if not match:
            ctx.warn(path, 1, "ignored folder: days are named day-N-topic")
            continue
        number = int(match["number"])
        if number in found:
            ctx.error(path, 1, f"day {number} is also {found[number].name}")
            continue
        found[number] = path
    _check_sequence(ctx, found, "day")
    return sorted(found.items())


def _check_sequence(ctx: _Ctx, found: dict[int, Path], what: str) -> None:
    expected = 1
    for number in sorted(found):
        if number != expected:
            missing = (
                f"{what} {expected}"
                if number == expected + 1
                else f"{what}s {expected}-{number - 1}"
            )
            ctx.error(
                found[number],
                1,
                f"{what} {number} follows {what} {expected - 1}: {missing} missing",
            )
        expected = number + 1


def _index_lessons(ctx: _Ctx, day_dirs: list[tuple[int, Path]]) -> None:
    """Map every lesson file to its slug first, so links between lessons can resolve."""
    for _number, day_path in day_dirs:
        for path in day_path.glob("*.md"):
            if match := LESSON_FILE_RE.match(path.name):
                ctx.lesson_files[path.resolve()] = match["slug"]


def _load_day(ctx: _Ctx, number: int, path: Path) -> Day:
    titles = {ctx.language: _title_from_folder(path.name)}
    intros: dict[str, str] = {}
    originals: dict[int, Path] = {}
    translations: dict[int, list[tuple[str, Path]]] = {}
    for file in sorted(path.iterdir()):
        if file.is_dir() or file.name.startswith("."):
            continue
        if special := SPECIAL_FILE_RE.match(file.name):
            if special["name"] == "day" and ctx.accepts_language(file, special["lang"]):
                if (doc := ctx.read(file)) is not None:
                    ctx.unknown_keys(doc, DAY_KEYS, file)
                    lang = special["lang"] or ctx.language
                    if isinstance(doc.meta.get("title"), str):
                        titles[lang] = doc.meta["title"]
                    intros[lang] = ctx.body_html(doc, file, depth=0)
            elif special["name"] not in ("day", "quiz"):
                ctx.error(file, 1, f"{file.name} belongs in the course folder, not in a day")
            continue
        match = LESSON_FILE_RE.match(file.name)
        if not match:
            ctx.warn(file, 1, "ignored file: lessons are named NN-slug.md (or NN-slug.<lang>.md)")
            continue
        lesson_number = int(match["number"])
        if match["lang"] is None:
            if lesson_number in originals:
                ctx.error(
                    file,
                    1,
                    f"lesson number {lesson_number} is also {originals[lesson_number].name}",
                )
                continue
            originals[lesson_number] = file
        elif ctx.accepts_language(file, match["lang"]):
            translations.setdefault(lesson_number, []).append((match["lang"], file))
    _check_sequence(ctx, originals, "lesson")
    for lesson_number, items in translations.items():
        for _lang, file in items:
            original = originals.get(lesson_number)
            if (
                original is None
                or LESSON_FILE_RE.match(original.name)["slug"]
                != LESSON_FILE_RE.match(file.name)["slug"]
            ):
                ctx.error(
                    file, 1, "translation has no original lesson with the same number and name"
                )
    lessons = []
    for lesson_number, file in sorted(originals.items()):
        lesson = _load_lesson(ctx, number, lesson_number, file, translations.get(lesson_number, []))
        if lesson is not None:
            lessons.append(lesson)
    quiz = load_quiz_files(ctx, path, "quiz", key=f"day-{number}")
    return Day(
        number=number,
        folder=path.name,
        titles=frozen_map(titles),
        intros=frozen_map(intros),
        lessons=tuple(lessons),
        quiz=quiz,
        default_language=ctx.language,
    )


def _title_from_folder(name: str) -> str:
    words = name.split("-")[2:]
    return " ".join(words).capitalize() if words else name


def _load_lesson(
    ctx: _Ctx, day: int, number: int, path: Path, translations: list[tuple[str, Path]]
) -> Lesson | None:
    slug = LESSON_FILE_RE.match(path.name)["slug"]
    first = ctx.lesson_slugs.setdefault(slug, path)
    if first != path:
        ctx.error(
            path,
            1,
            f"lesson name {slug!r} is used twice ({ctx.display(first)}): "
            "names must be unique in a course",
        )
    texts: dict[str, LessonText] = {}
    minutes, required = None, True
    for lang, file in [(ctx.language, path), *translations]:
        doc = ctx.read(file)
        if doc is None:
            continue
        ctx.unknown_keys(doc, LESSON_KEYS, file)
        title = doc.meta.get("title")
        if not isinstance(title, str) or not title.strip():
            ctx.error(file, doc.key_lines.get("title", 1), "lesson needs a title")
            title = slug
        if file is path:
            minutes = doc.meta.get("minutes")
            if minutes is not None and (
                isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1
            ):
                ctx.error(file, doc.key_lines["minutes"], "minutes must be a whole number above 0")
                minutes = None
            required = doc.meta.get("required", True)
            if not isinstance(required, bool):
                ctx.error(file, doc.key_lines["required"], "required must be true or false")
                required = True
        html = ctx.body_html(doc, file, depth=1)
        texts[lang] = LessonText(
            language=lang,
            title=title,
            html=html,
            source=ctx.display(file),
            words=word_count(doc.body),
        )
    if ctx.language not in texts:
        return None
    if minutes is None:
        minutes = max(1, math.ceil(texts[ctx.language].words / WORDS_PER_MINUTE))
    return Lesson(
        slug=slug,
        number=number,
        day=day,
        minutes=minutes,
        required=required,
        texts=frozen_map(texts),
        default_language=ctx.language,
    )


def _check_root_files(ctx: _Ctx) -> None:
    for file in sorted(p for p in ctx.root.iterdir() if p.is_file()):
        if file.name.startswith(".") or file.name in ("certificate.html", "README.md", "LICENSE"):
            continue
        if not SPECIAL_FILE_RE.match(file.name):
            ctx.warn(file, 1, "ignored file in the course folder")
        elif file.name.startswith(("day.", "quiz.")):
            ctx.error(file, 1, f"{file.name} belongs inside a day folder")
