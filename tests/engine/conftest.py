"""Fixtures for the pure course engine: write a course folder from a dict of files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

MINIMAL_COURSE = {
    "course.md": "---\ntitle: Tiny\n---\nOverview.\n",
    "day-1-start/01-hello.md": "---\ntitle: Hello\n---\nHello there.\n",
}


@pytest.fixture
def write_course(tmp_path, monkeypatch):
    """Create `tmp/courses/<slug>` from {relative path: text}; paths print relative."""
    monkeypatch.chdir(tmp_path)

    def write(files: dict[str, str | bytes], slug: str = "tiny", base: dict | None = None) -> Path:
        folder = Path("courses") / slug
        merged = {**(MINIMAL_COURSE if base is None else base), **files}
        for name, content in merged.items():
            if content is None:
                continue
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return folder

    return write
