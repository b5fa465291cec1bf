"""`lms courses ...`: validate course folders from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.courses.catalogue import get_catalogue
from lms.courses.engine import load_course, load_courses

courses_cli = AppGroup("courses", help="Validate and list courses.")


@courses_cli.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check(path: Path | None) -> None:
    """Validate course folders; print `path:line: message` for each problem; exit 1 on errors.

    PATH is one course folder or a folder of courses (default: the configured courses folder).
    """
    path = path or Path(current_app.config["COURSES_DIR"])
    if (path / "course.md").is_file():
        course, problems = load_course(path)
        courses = {course.slug: course} if course else {}
        names = [path.name]
    else:
        courses, problems = load_courses(path)
        names = sorted(p.name for p in path.iterdir() if p.is_dir()) if path.is_dir() else []
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    click.echo(
        f"{len(courses)} of {len(names)} course(s) valid; {errors} error(s), {warnings} warning(s)",
        err=True,
    )
    sys.exit(1 if errors or not names else 0)


@courses_cli.command("list")
def list_courses() -> None:
    """List the valid courses with their days, lessons and languages."""
    for course in get_catalogue().all():
        click.echo(
            f"{course.slug}\t{course.title()}\t{len(course.days)} days\t"
            f"{len(course.lessons)} lessons\t{','.join(course.languages)}"
        )
