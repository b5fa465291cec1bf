"""The `lms` console script: Flask's CLI over `create_app`, plus `init` and `demo`."""

from __future__ import annotations

import os

import click
from flask.cli import FlaskGroup, run_command, with_appcontext
from flask_migrate import upgrade

from lms import create_app
from lms.demo import load_demo
from lms.extensions import db
from lms.reports.summaries import rebuild_missing


@click.group(cls=FlaskGroup, create_app=create_app)
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
