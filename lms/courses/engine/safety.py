"""What a course folder may contain, checked before anything in it is read or served.

Also what its text may contain: lists and block quotes nested at most `MAX_NESTING` deep
and front matter at most `MAX_YAML_DEPTH` deep, each checked by a linear scan.

A course is files of its own: no symbolic links (a link in `media/` would serve any file
of the server, `/etc/passwd` included) and no hard links (a second name for a file that
may live outside the course). Files are small: a lesson or quiz over `MAX_TEXT_BYTES`, or
any file over `MAX_FILE_BYTES`, is refused before it is read, so a huge file cannot hold
the loader for minutes. Pure: used by the loader, `lms courses check` and the media routes.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath

import yaml

MAX_TEXT_BYTES = 1024 * 1024  # a lesson, quiz, course.md or certificate.html
MAX_FILE_BYTES = 10 * 1024 * 1024  # anything else, media included
TEXT_SUFFIXES = (".md", ".html", ".yml", ".yaml", ".txt")


def refusal(path: Path) -> str | None:
    """Why `path` (a directory entry, not followed) may not be part of a course, or None."""
    try:
        info = path.lstat()
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        return "symbolic links are not allowed in a course (copy the file in instead)"
    if stat.S_ISDIR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return "only plain files and folders are allowed in a course"
    if info.st_nlink > 1:
        return "hard-linked files are not allowed in a course (copy the file in instead)"
    limit = MAX_TEXT_BYTES if path.suffix.lower() in TEXT_SUFFIXES else MAX_FILE_BYTES
    if info.st_size > limit:
        return f"file is {info.st_size:,} bytes; the limit is {limit:,}"
    return None


def scan(root: Path) -> list[tuple[Path, str]]:
    """Every entry under `root` that may not be part of a course, without following links."""
    found: list[tuple[Path, str]] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in [*dirs, *sorted(files)]:
            if name.startswith("."):
                continue
            path = Path(folder) / name
            if (reason := refusal(path)) is not None:
                found.append((path, reason))
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]
    return found


def contained_file(folder: Path, relative: str) -> Path | None:
    """The plain file `relative` inside `folder`, or None when the name leaves the folder,
    names a hidden file, or passes through a link of any kind."""
    if not relative or "\\" in relative or "\0" in relative:
        return None
    parts = PurePosixPath(relative).parts
    if not parts or any(part in ("/", ".", "..") or part.startswith(".") for part in parts):
        return None
    if folder.is_symlink():
        return None
    path = folder
    for part in parts:
        path = path / part
        if path.is_symlink():
            return None
    try:
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
        return None
    return path


MAX_NESTING = 20  # lists or block quotes inside each other
MAX_YAML_DEPTH = 20  # mappings and lists inside each other in front matter
LIST_ITEM = re.compile(r"^( *)((?:(?:[-*+]|\d{1,9}[.)])(?: +|$))+)")  # `- - - x` nests too
MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?: +|$)")


def nesting_problem(text: str) -> tuple[int, str] | None:
    """(0-based line, message) where lists or block quotes nest deeper than MAX_NESTING.

    A linear scan, so a hostile file costs milliseconds, not the minutes the markdown
    renderer would spend on thousands of levels."""
    stack: list[int] = []
    for number, raw in enumerate(text.splitlines()):
        line = raw.expandtabs(4)
        if line.lstrip(" ").startswith(">"):
            stripped = line.lstrip(" ")
            marks = stripped[: len(stripped) - len(stripped.lstrip("> "))]
            depth = marks.count(">")
            if depth > MAX_NESTING:
                return number, f"block quotes nest {depth} levels deep; at most {MAX_NESTING}"
            continue
        match = LIST_ITEM.match(line)
        if match:
            indent = len(match.group(1))
            while stack and stack[-1] >= indent:
                stack.pop()
            stack.append(indent)
            if len(stack) + len(MARKER.findall(match.group(2))) - 1 > MAX_NESTING:
                return number, f"lists nest more than {MAX_NESTING} levels deep"
        elif line.strip() and not line.startswith(" "):
            stack.clear()
    return None


def yaml_depth_problem(source: str) -> tuple[int, str] | None:
    """(0-based line, message) where YAML nests deeper than MAX_YAML_DEPTH, found from the
    parser's events (no recursion, unlike composing the document)."""
    depth = 0
    try:
        for event in yaml.parse(source, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    line = event.start_mark.line if event.start_mark else 0
                    return line, f"YAML nests more than {MAX_YAML_DEPTH} levels deep"
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # reported, with its line, by the real parse
    return None
