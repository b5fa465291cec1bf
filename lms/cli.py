"""The `lms` console script: Flask's CLI over `create_app`, plus `init`, `demo` and
`assets compress`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, run_command, with_appcontext
from sqlalchemy.exc import DBAPIError

from lms import create_app
from lms.demo import load_demo
from lms.extensions import db
from lms.private import FOLDER_MODE, tighten
from lms.reports.summaries import rebuild_missing
from lms.web.precompress import compress_folder


class CommandFailed(click.ClickException):
    """An error a command did not expect, told in one line (`Error: ...`), exit code 1."""


def one_line(error: BaseException) -> str:
    """What went wrong, without tracebacks, SQL or its parameters (password hashes, names)."""
    if isinstance(error, DBAPIError):
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        return f"the database refused this: {reason[:200]}"
    if isinstance(error, OSError) and error.filename:
        return f"cannot use {error.filename}: {error.strerror or type(error).__name__}"
    if isinstance(error, OSError):
        return f"{error.strerror or error}"
    return f"unexpected {type(error).__name__}; run with LMS_CLI_TRACEBACK=1 for details"


class LmsGroup(FlaskGroup):
    """Flask's CLI, where every failure ends in one clear line and a non-zero exit code
    (`LMS_CLI_TRACEBACK=1` shows the traceback instead, for developers)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except Exception as error:
            if os.environ.get("LMS_CLI_TRACEBACK"):
                raise
            raise CommandFailed(one_line(error)) from None


@click.group(cls=LmsGroup, create_app=create_app)
def main() -> None:
    """Literacy LMS command line."""


@click.command("run", params=run_command.params, help=run_command.help)
@click.pass_context
def run_with_course_reload(ctx: click.Context, **options) -> None:
    """Flask's `run`, with course files seen on the next request (LMS_COURSES_RELOAD)."""
    os.environ.setdefault("LMS_COURSES_RELOAD", "true")
    ctx.invoke(run_command, **options)


main.add_command(run_with_course_reload)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database, or upgrade it to the latest schema (never loses data)."""
    from flask_migrate import upgrade  # Alembic: imported for this command, not at start-up

    tighten(Path(current_app.instance_path), FOLDER_MODE)  # an older install left it 0755
    upgrade()
    rebuilt = rebuild_missing()
    db.session.commit()
    if rebuilt:
        click.echo(f"Rebuilt report summaries for cohort(s) {', '.join(map(str, rebuilt))}.")
    click.echo("Database is up to date.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the sample courses and demo data; print the demo logins."""
    for line in load_demo():
        click.echo(line)


@click.group("assets")
def assets_cli() -> None:
    """Static files."""


@assets_cli.command("compress")
@with_appcontext
def compress_command() -> None:
    """Write <file>.br and <file>.gz beside each compressible file in static/ (once, not
    per request; `make install` runs this). Fresh ones are kept."""
    folder = Path(current_app.static_folder or "")
    total = packed = 0
    for path, size, sizes in compress_folder(folder):
        total += size
        packed += sizes.get("br", size)
        listed = ", ".join(f"{name} {value}" for name, value in sizes.items()) or "not smaller"
        click.echo(f"{path.relative_to(folder)}: {size} bytes -> {listed}")
    click.echo(f"static files: {total} bytes, {packed} with brotli.")
