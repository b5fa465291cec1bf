"""`lms tokens create/list/revoke`: API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.api import tokens
from lms.auth.services import find_user
from lms.cli_support import command_transaction
from lms.permissions import SYSTEM, NotFound

tokens_cli = AppGroup("tokens", help="API tokens: create (shown once), list, revoke.")


def _user(login: str):
    user = find_user(login)
    if user is None:
        raise click.ClickException(f"no account with the login {login}")
    return user


@tokens_cli.command("create")
@click.option("--user", "login", required=True, help="The owner's e-mail or phone.")
@click.option("--name", required=True, help="What the token is for, e.g. 'bank CRM'.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(tokens.SCOPES),
    help="read, enrol, submit, report or admin; repeat for several (default read).",
)
@click.option("--days", default=tokens.DEFAULT_DAYS, show_default=True, help="Lifetime.")
def create(login: str, name: str, scopes: tuple[str, ...], days: int) -> None:
    """Create a token; it is printed alone on the last line, once, and never again."""
    with command_transaction():
        new = tokens.create_token(SYSTEM, _user(login), name, scopes or ("read",), days)
        token = new.token
    click.echo(
        f"Token {token.name!r} for {login}: scopes {' '.join(token.scopes)}, "
        f"expires {token.expires_at:%Y-%m-%d}. Keep it now; it cannot be shown again:"
    )
    click.echo(new.secret)


@tokens_cli.command("list")
@click.option("--user", "login", required=True)
def list_command(login: str) -> None:
    """The user's active tokens (never the tokens themselves)."""
    with command_transaction():
        for token in tokens.active_tokens(SYSTEM, _user(login)):
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            click.echo(
                f"{token.name}\t{token.prefix}…\t{','.join(token.scopes)}\t"
                f"expires {token.expires_at:%Y-%m-%d}\tlast used {used}"
            )


@tokens_cli.command("revoke")
@click.option("--user", "login", required=True)
@click.option("--name", required=True)
def revoke(login: str, name: str) -> None:
    """Revoke a token: it answers 401 from now on."""
    try:
        with command_transaction():
            tokens.revoke_token(SYSTEM, _user(login), name)
    except NotFound:
        raise click.ClickException(f"{login} has no active token named {name!r}") from None
    click.echo(f"Revoked {name!r}.")
