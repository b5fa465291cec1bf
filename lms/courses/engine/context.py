"""The state shared while one course folder loads: where it is, what was found, problems."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from lms.courses.engine.frontmatter import Document, FrontMatterError, parse_document
from lms.courses.engine.links import LinkContext, check_and_rewrite
from lms.courses.engine.model import Problem
from lms.courses.engine.render import render_markdown
from lms.courses.engine.safety import nesting_problem

ENGINE_VERSION = "1"  # part of the content hash: bump when rendering changes


@dataclass
class LoadContext:
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
            doc = parse_document(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.error(path, 1, "file is not UTF-8 text")
            return None
        except FrontMatterError as exc:
            self.error(path, exc.line, exc.message)
            return None
        if (deep := nesting_problem(doc.body)) is not None:  # before markdown meets it
            self.error(path, doc.body_line + deep[0], deep[1])
            return None
        return doc

    def unknown_keys(self, doc: Document, allowed: set[str], path: Path) -> None:
        for key in sorted(set(doc.meta) - allowed):
            self.error(path, doc.key_lines.get(key, 1), f"unknown front-matter key {key!r}")

    def body_html(self, doc: Document, path: Path, depth: int) -> str:
        links = LinkContext(root=self.root, lesson_files=self.lesson_files, depth=depth)
        text, problems = check_and_rewrite(doc.body, doc.body_line, path, self.display(path), links)
        self.problems.extend(problems)
        return render_markdown(text)

    def accepts_language(self, path: Path, lang: str | None) -> bool:
        """True when `lang` is the default (None) or a declared language; reports otherwise."""
        if lang is None or lang == self.language:
            if lang == self.language:
                self.error(path, 1, f"{lang!r} is the default language: name the file without it")
                return False
            return True
        if lang not in self.languages:
            self.error(path, 1, f"language {lang!r} is not listed in course.md languages")
            return False
        return True


def content_hash(folder: Path) -> str:
    """A digest of every file in the course, so rendered output can be keyed by it."""
    digest = hashlib.sha256(ENGINE_VERSION.encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
