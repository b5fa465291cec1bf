"""`lms backup` and `lms restore`: a consistent copy of the database while it is in use.

SQLite: the online backup API (pages copied under SQLite's own locking, so writers may go
on meanwhile). PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean` of the
app's own schema (the first of its `search_path`), never other schemas of the database.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from lms.extensions import db
from lms.private import create_private_file, private_folder


def _sqlite_path() -> Path | None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def _pg_url() -> str:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_schema() -> str:
    """The schema the app's tables live in: another schema of the same database (another
    app, a benchmark) is neither dumped nor dropped by a restore."""
    return db.session.execute(text("SELECT current_schema()")).scalar_one()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise click.ClickException(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def backup_to(target: Path) -> Path:
    """Copy the database to `target`, created 0600 (in a 0700 folder when it is new)."""
    private_folder(target.parent)
    create_private_file(target)
    source = _sqlite_path()
    if source is not None:
        with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
            live.backup(copy, pages=256)
        copy.close()
        live.close()
        return target
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--schema={_pg_schema()}"]
    command += [f"--file={target}", _pg_url()]
    subprocess.run(command, check=True)  # noqa: S603 - our own arguments, no shell
    return target


def restore_from(source: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    target = _sqlite_path()
    if target is not None:
        with sqlite3.connect(source) as copy, sqlite3.connect(target) as live:
            copy.backup(live)
        copy.close()
        live.close()
        return
    command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", f"--dbname={_pg_url()}"]
    subprocess.run([*command, str(source)], check=True)  # noqa: S603 - our own arguments, no shell


@click.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Write a consistent backup (default: instance/backups/lms-<time>.<ext>)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    extension = "sqlite3" if _sqlite_path() else "dump"
    path = path or Path(current_app.instance_path) / "backups" / f"lms-{stamp}.{extension}"
    click.echo(f"Backup written to {backup_to(path)}")
    click.echo(
        "The credential signing keys are not in it: they are in "
        f"{Path(current_app.instance_path) / 'signing-keys'} (or LMS_SIGNING_KEY); "
        "keep a copy with `lms keys export`."
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database's contents with a backup (asks first)."""
    if not yes:
        click.confirm(
            f"This replaces everything in the database with {path}. Continue?", abort=True
        )
    restore_from(path)
    click.echo(f"Restored from {path}. Run `lms init` if the backup is from an older version.")
