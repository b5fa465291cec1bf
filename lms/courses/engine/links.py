"""Checks and rewrites the links and images inside a course's markdown files.

Authors write paths relative to the file (`../media/x.svg`, `../day-2-x/01-y.md`) so the
course previews on a git host; the web app needs URLs. Lesson and quiz pages live one
level below the course (`<course>/lessons/<slug>`), overview pages at the course root.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lms.courses.engine.images import dimensions
from lms.courses.engine.model import Problem
from lms.courses.engine.render import LINK_RE

SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")
IMAGE_WARN_BYTES = 100 * 1024


@dataclass(frozen=True)
class LinkContext:
    """Where the links of one file point to."""

    root: Path  # the course folder, resolved
    lesson_files: dict[Path, str]  # resolved lesson file -> lesson slug
    depth: int  # 1 for lesson and quiz pages, 0 for the overview

    def url(self, kind: str, value: str) -> str:
        up = "../" * self.depth
        if kind == "lesson":
            return value if self.depth else f"lessons/{value}"
        if kind == "media":
            return f"{up}media/{value}"
        return up or "./"  # the course overview


def check_and_rewrite(
    text: str, first_line: int, source: Path, display: str, ctx: LinkContext
) -> tuple[str, list[Problem]]:
    """Return `text` with local links turned into URLs, and a problem per bad link."""
    problems: list[Problem] = []
    out_lines = []
    in_fence = False
    for offset, line in enumerate(text.split("\n")):
        number = first_line + offset
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence:
            out_lines.append(line)
            continue

        def replace(match: re.Match, number: int = number, line: str = line) -> str:
            url = _rewrite(
                match["target"], bool(match["bang"]), source, display, number, ctx, problems
            )
            if url is None:
                return match.group(0)
            size = ""
            if match["bang"] and not line[match.end() :].startswith("{"):
                size = _size_attributes(source.parent / match["target"].partition("#")[0])
            return f"{match['bang']}[{match['label']}]({url}{match['rest']}){size}"

        out_lines.append(LINK_RE.sub(replace, line))
    return "\n".join(out_lines), problems


def _size_attributes(path: Path) -> str:
    """`{: width=.. height=.. }` so the page keeps the image's space while it loads."""
    size = dimensions(path.resolve())
    return f'{{: width="{size[0]}" height="{size[1]}" }}' if size else ""


def _rewrite(
    target: str,
    is_image: bool,
    source: Path,
    display: str,
    line: int,
    ctx: LinkContext,
    problems: list[Problem],
) -> str | None:
    if not target or target.startswith("#"):
        return None
    if SCHEME_RE.match(target):
        if not target.lower().startswith(SAFE_SCHEMES):
            problems.append(
                Problem(display, line, f"unsafe link {target[:40]!r} will be removed", "warning")
            )
        elif is_image:
            problems.append(
                Problem(display, line, f"remote image {target!r}: put the file in media/ instead")
            )
        return None
    path_part, _, fragment = target.partition("#")
    anchor = f"#{fragment}" if fragment else ""
    resolved = (source.parent / path_part).resolve()
    if ctx.root != resolved and ctx.root not in resolved.parents:
        problems.append(Problem(display, line, f"link {target!r} points outside the course"))
        return None
    media = ctx.root / "media"
    if is_image:
        if not resolved.is_file():
            problems.append(Problem(display, line, f"missing image {target!r}"))
            return None
        if media not in resolved.parents:
            problems.append(Problem(display, line, f"image {target!r} must be in media/"))
            return None
        if resolved.stat().st_size > IMAGE_WARN_BYTES:
            size = resolved.stat().st_size // 1024
            problems.append(
                Problem(
                    display,
                    line,
                    f"image {target!r} is {size} KB; keep images under 100 KB",
                    "warning",
                )
            )
        return ctx.url("media", resolved.relative_to(media).as_posix())
    if resolved in ctx.lesson_files:
        return ctx.url("lesson", ctx.lesson_files[resolved]) + anchor
    if resolved == ctx.root / "course.md" or resolved == ctx.root:
        return ctx.url("overview", "") + anchor
    if resolved.is_file() and media in resolved.parents:
        return ctx.url("media", resolved.relative_to(media).as_posix())
    problems.append(Problem(display, line, f"broken link {target!r}: no such lesson or file"))
    return None
