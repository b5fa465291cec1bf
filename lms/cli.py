"""The `lms` console script: Flask's CLI over `create_app`, plus `init` and `demo`."""

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
