"""Loads a course folder into a `Course`, collecting every problem with its `path:line`.

A course with any error is not returned (the server skips it and logs why); warnings
are reported but do not stop it.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from lms.courses.engine.frontmatter import Document, FrontMatterError, parse_document
from lms.courses.engine.links import LinkContext, check_and_rewrite
from lms.courses.engine.model import (
    CertificateSettings,
    Completion,
    Course,
    Day,
    Lesson,
    LessonText,
    Problem,
    Quiz,
    Signatory,
    frozen_map,
)
from lms.courses.engine.quizzes import compare_translation, parse_quiz
from lms.courses.engine.render import render_markdown, word_count

ENGINE_VERSION = "1"  # part of the content hash: bump when rendering changes

COURSE_KEYS = {
    "title",
    "summary",
    "language",
    "languages",
    "completion",
    "certificate",
    "minutes",
    "tags",
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
    r"^(?P<name>course|day|quiz|pre-test|post-test)(?:\.(?P<lang>[a-z]{2,3}))?\.md$"
)
WORDS_PER_MINUTE = 150


@dataclass
class _Ctx:
    """State shared while one course loads."""

    root: Path  # resolved course folder
    shown: Path  # the folder as the user named it, for messages
    language: str = "en"
    languages: tuple[str, ...] = ("en",)
    pass_mark: int = 70
    lesson_files: dict[Path, str] = field(default_factory=dict)
    lesson_slugs: dict[str, Path] = field(default_factory=dict)  # slug -> first file
    problems: list[Problem] = field(default_factory=list)

    def display(self, path: Path) -> str:
        return str(self.shown / path.relative_to(self.root))

    def error(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(self.display(path), line, message))

    def warn(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(self.display(path), line, message, "warning"))

    def read(self, path: Path) -> Document | None:
        try:
            return parse_document(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.error(path, 1, "file is not UTF-8 text")
        except FrontMatterError as exc:
            self.error(path, exc.line, exc.message)
        return None

    def unknown_keys(self, doc: Document, allowed: set[str], path: Path) -> None:
        for key in sorted(set(doc.meta) - allowed):
            self.error(path, doc.key_lines.get(key, 1), f"unknown front-matter key {key!r}")

    def body_html(self, doc: Document, path: Path, depth: int) -> str:
        links = LinkContext(root=self.root, lesson_files=self.lesson_files, depth=depth)
        text, problems = check_and_rewrite(doc.body, doc.body_line, path, self.display(path), links)
        self.problems.extend(problems)
        return render_markdown(text)


def content_hash(folder: Path) -> str:
    """A digest of every file in the course, so rendered output can be keyed by it."""
    digest = hashlib.sha256(ENGINE_VERSION.encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


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
    doc = ctx.read(course_file)
    if doc is None:
        return None, ctx.problems
    meta = _course_meta(ctx, doc, course_file)
    day_dirs = _day_dirs(ctx)
    _index_lessons(ctx, day_dirs)
    titles, summaries, overviews = _course_texts(ctx, doc, meta)
    days = tuple(_load_day(ctx, number, path) for number, path in day_dirs)
    pre_test = _load_quiz(ctx, ctx.root, "pre-test", attempts=1)
    post_test = _load_quiz(ctx, ctx.root, "post-test", attempts=1)
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
    completion = _completion(ctx, doc, meta.get("completion"), days)
    certificate = _certificate(ctx, doc, meta.get("certificate"))
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


def _translation_lang(ctx: _Ctx, path: Path, lang: str | None) -> bool:
    """True when `lang` is the default (None) or a declared language; reports otherwise."""
    if lang is None or lang == ctx.language:
        if lang == ctx.language:
            ctx.error(path, 1, f"{lang!r} is the default language: name the file without it")
            return False
        return True
    if lang not in ctx.languages:
        ctx.error(path, 1, f"language {lang!r} is not listed in course.md languages")
        return False
    return True


def _course_texts(ctx: _Ctx, doc: Document, meta: dict) -> tuple[dict, dict, dict]:
    titles = {ctx.language: str(meta.get("title") or ctx.root.name)}
    summaries = {ctx.language: str(meta.get("summary") or "")}
    overviews = {ctx.language: ctx.body_html(doc, ctx.root / "course.md", depth=0)}
    for path in sorted(ctx.root.glob("course.*.md")):
        lang = path.name.split(".")[1]
        if not _translation_lang(ctx, path, lang) or (tdoc := ctx.read(path)) is None:
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
            if special["name"] == "day" and _translation_lang(ctx, file, special["lang"]):
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
        elif _translation_lang(ctx, file, match["lang"]):
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
    quiz = _load_quiz(ctx, path, "quiz", key=f"day-{number}")
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


def _load_quiz(
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
        if not _translation_lang(ctx, file, lang):
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


def _completion(ctx: _Ctx, doc: Document, value: object, days: tuple[Day, ...]) -> Completion:
    path = ctx.root / "course.md"
    line = doc.key_lines.get("completion", 1)
    if value is None:
        return Completion()
    if not isinstance(value, dict):
        ctx.error(path, line, "completion must be a mapping (lessons, quizzes, pass_mark)")
        return Completion()
    for key in sorted(set(value) - COMPLETION_KEYS):
        ctx.error(path, line, f"unknown completion key {key!r}")
    lessons = value.get("lessons", "all")
    if lessons not in ("all", "none"):
        ctx.error(path, line, "completion.lessons must be all or none")
        lessons = "all"
    quizzes = value.get("quizzes", "all")
    with_quiz = {day.number for day in days if day.quiz}
    if isinstance(quizzes, list):
        bad = [n for n in quizzes if not isinstance(n, int) or n not in with_quiz]
        if bad:
            ctx.error(path, line, f"completion.quizzes names days with no quiz: {bad}")
        quizzes = tuple(n for n in quizzes if isinstance(n, int) and n in with_quiz)
    elif quizzes not in ("all", "none"):
        ctx.error(path, line, "completion.quizzes must be all, none or a list of day numbers")
        quizzes = "all"
    pass_mark = value.get("pass_mark", 70)
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int) or not 0 <= pass_mark <= 100:
        ctx.error(path, line, "completion.pass_mark must be a whole number from 0 to 100")
        pass_mark = 70
    return Completion(lessons=lessons, quizzes=quizzes, pass_mark=pass_mark)


def _certificate(ctx: _Ctx, doc: Document, value: object) -> CertificateSettings:
    path = ctx.root / "course.md"
    line = doc.key_lines.get("certificate", 1)
    if value is None:
        return CertificateSettings()
    if not isinstance(value, dict):
        ctx.error(
            path, line, "certificate must be a mapping (title, issuer, approval, logo, signatories)"
        )
        return CertificateSettings()
    for key in sorted(set(value) - CERTIFICATE_KEYS):
        ctx.error(path, line, f"unknown certificate key {key!r}")
    approval = value.get("approval", "auto")
    if approval not in ("auto", "manual"):
        ctx.error(path, line, "certificate.approval must be auto or manual")
        approval = "auto"
    logo = value.get("logo") or ""
    if logo:
        logo_path = (ctx.root / str(logo)).resolve()
        if not logo_path.is_file() or ctx.root / "media" not in logo_path.parents:
            ctx.error(path, line, f"certificate logo {logo!r} must be a file in media/")
    signatories = []
    for item in value.get("signatories") or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            ctx.error(path, line, "each signatory needs a name (and optionally a title)")
            continue
        signatories.append(Signatory(name=item["name"], title=str(item.get("title") or "")))
    return CertificateSettings(
        title=str(value.get("title") or CertificateSettings.title),
        issuer=str(value.get("issuer") or ""),
        approval=approval,
        logo=str(logo),
        signatories=tuple(signatories),
    )


def _check_root_files(ctx: _Ctx) -> None:
    for file in sorted(p for p in ctx.root.iterdir() if p.is_file()):
        if file.name.startswith(".") or file.name in ("certificate.html", "README.md", "LICENSE"):
            continue
        if not SPECIAL_FILE_RE.match(file.name):
            ctx.warn(file, 1, "ignored file in the course folder")
        elif file.name.startswith(("day.", "quiz.")):
            ctx.error(file, 1, f"{file.name} belongs inside a day folder")
