"""`lms people export|erase|purge`: personal data from the command line (audited)."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from lms.auth.models import User
from lms.cli_support import command_transaction
from lms.extensions import db
from lms.people import services
from lms.permissions import SYSTEM

people_cli = AppGroup("people", help="Personal data: export, erase, retention.")


def _person(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None:
        raise click.ClickException(f"no user with id {user_id}")
    return person


@people_cli.command("export")
@click.option("--user", "user_id", type=int, required=True)
def export(user_id: int) -> None:
    """Print everything held about a person as JSON."""
    with command_transaction():
        data = services.personal_data(SYSTEM, _person(user_id))
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@people_cli.command("erase")
@click.option("--user", "user_id", type=int, required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(user_id: int, yes: bool) -> None:
    """Replace a trainee by an anonymous placeholder; their certificates are withdrawn."""
    with command_transaction():
        person = _person(user_id)
        if not yes:
            click.confirm(f"Erase {person.name} (user {person.id})?", abort=True)
        services.erase(SYSTEM, person)
    click.echo(f"User {user_id} erased.")


@people_cli.command("purge")
@click.option("--days", type=int, help="Default: LMS_RETENTION_DAYS.")
@click.option("--yes", is_flag=True, help="Erase them; without it, only list (dry run).")
def purge(days: int | None, yes: bool) -> None:
    """Erase trainees inactive for DAYS after their cohorts ended (dry run first)."""
    days = days if days is not None else current_app.config.get("RETENTION_DAYS")
    if not days:
        raise click.ClickException("set LMS_RETENTION_DAYS or give --days")
    with command_transaction():
        people = services.retention_candidates(int(days))
        for person in people:
            if yes:
                services.erase(SYSTEM, person)
            click.echo(f"{'erased' if yes else 'would erase'} user {person.id}")
    click.echo(f"{len(people)} person(s) {'erased' if yes else 'due; run with --yes to erase'}.")
