"""`lms courses ...`: validate, list and reload courses; GIFT import and export."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.courses.catalogue import get_catalogue, request_reload
from lms.courses.engine import load_course, load_courses
from lms.courses.gift import gift_to_quiz, quiz_to_gift

courses_cli = AppGroup("courses", help="Validate, list and reload courses; GIFT import/export.")


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


@courses_cli.command("reload")
def reload() -> None:
    """Reload the courses in every worker using this instance, on its next request.

    A course whose files now have errors keeps serving its last good version; the errors
    are printed as `path:line: message` (exit 1) and shown on the course's preview page.
    """
    catalogue = request_reload(current_app)
    for problem in catalogue.problems:
        click.echo(str(problem))
    errors = sum(1 for p in catalogue.problems if p.severity == "error")
    click.echo(f"Reload requested: {len(catalogue.courses)} course(s) served.", err=True)
    for slug in sorted(catalogue.stale):
        click.echo(f"{slug}: has errors, its last good version is served", err=True)
    sys.exit(1 if errors else 0)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@courses_cli.command("export-gift", with_appcontext=False)
@click.argument("quiz", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def export_gift(quiz: Path, out: Path | None) -> None:
    """Print QUIZ.md in Moodle's GIFT format (problems go to stderr; exit 1 on errors)."""
    text, problems = quiz_to_gift(quiz.read_text(encoding="utf-8"), str(quiz))
    for problem in problems:
        click.echo(str(problem), err=True)
    if any(problem.severity == "error" for problem in problems):
        sys.exit(1)
    _emit(text, out)


@courses_cli.command("import-gift", with_appcontext=False)
@click.argument("gift", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def import_gift(gift: Path, out: Path | None) -> None:
    """Print FILE.gift as a quiz.md; report what cannot be held as FILE:LINE (exit 1)."""
    title = gift.stem.replace("-", " ").replace("_", " ").capitalize()
    text, result = gift_to_quiz(gift.read_text(encoding="utf-8"), str(gift), title)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    _emit(text, out)
    click.echo(f"{len(result.drafts)} question(s) imported, {result.skipped} skipped", err=True)
    sys.exit(1 if result.skipped else 0)
