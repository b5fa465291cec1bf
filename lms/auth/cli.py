"""`lms users create`: accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.auth import services
from lms.auth.models import ROLES
from lms.cli_support import command_transaction
from lms.permissions import SYSTEM

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", help="E-mail address (this or --phone).")
@click.option("--phone", help="Mobile number (this or --email).")
@click.option("--name", required=True, help="Display name, in any script.")
@click.option("--role", type=click.Choice(ROLES), default="trainee", show_default=True)
@click.option("--org", "organisation", help="Sponsor organisation (created if new).")
@click.option("--password", help="Prompted for (hidden) when not given.")
@click.option("--language", default="en", show_default=True)
def create(email, phone, name, role, organisation, password, language) -> None:
    """Create a user account."""
    if bool(email) == bool(phone):
        raise click.UsageError("give exactly one of --email or --phone")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with command_transaction():
        org = services.get_or_create_organisation(organisation, SYSTEM) if organisation else None
        if role == "sponsor" and org is None:
            raise click.UsageError("a sponsor needs --org")
        user = services.create_user(
            name=name,
            login=email or phone,
            password=password,
            role=role,
            language=language,
            organisation=org,
            actor=SYSTEM,
        )
    click.echo(f"Created {user.role} {user.login} (id {user.id})")
