"""Report sections contributed by higher packages (the nudges' effect, ...), so the report
page shows them without the reports package importing those packages. A section function
gets the report (already permission-checked) and returns a `Section` or None."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

EXTENSION = "lms.reports.sections"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    note: str = ""


def add_section(app: Flask, build: Callable[[object], Section | None]) -> None:
    app.extensions.setdefault(EXTENSION, []).append(build)


def sections_for(report: object) -> list[Section]:
    found = (build(report) for build in current_app.extensions.get(EXTENSION, ()))
    return [section for section in found if section is not None]
