"""`lms keys rotate|list|export|import` and `lms credentials verify FILE`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from lms.cli_support import command_transaction
from lms.credentials import keys, services
from lms.credentials.issuer import did_web
from lms.permissions import SYSTEM
from lms.public import configured_url

keys_cli = AppGroup("keys", help="The signing keys of the Open Badges credentials.")
credentials_cli = AppGroup("credentials", help="Open Badges 3.0 credentials.")


@keys_cli.command("rotate")
def rotate() -> None:
    """Make a new signing key; earlier keys stay published so old credentials verify."""
    with command_transaction():
        key = keys.rotate(SYSTEM)
    click.echo(f"New signing key {key.public_key} (private half in {keys.keys_dir()}).")
    who = did_web() if configured_url() else "the issuer"  # no address: no guess
    click.echo(f"Earlier keys stay in {who}'s DID document for verification.")


@keys_cli.command("list")
def list_keys() -> None:
    """The published keys, oldest first, and whether this server holds each private key."""
    with command_transaction():
        keys.ensure()
        held = keys.private_keys()
        for key in keys.published():
            state = "retired" if key.retired_at else "current"
            here = "private key here" if key.public_key in held else "private key NOT here"
            click.echo(f"{key.public_key}  {key.created_at:%Y-%m-%d %H:%M}  {state}  {here}")


_passphrase = click.option(
    "--passphrase",
    prompt=True,
    hide_input=True,
    envvar="LMS_KEYS_PASSPHRASE",
    help="Encrypts the export (or set LMS_KEYS_PASSPHRASE).",
)


@keys_cli.command("export")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@_passphrase
def export(out: Path, passphrase: str) -> None:
    """Write every signing key, encrypted with a passphrase, to move it to another server."""
    with command_transaction():
        keys.ensure()
        text = keys.export(passphrase)
    out.write_text(text)
    out.chmod(0o600)
    click.echo(f"Keys written to {out} (encrypted).")


@keys_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_passphrase
def import_keys(path: Path, passphrase: str) -> None:
    """Store keys from `lms keys export` on this server."""
    with command_transaction():
        count = keys.import_(path.read_text(), passphrase)
    click.echo(f"{count} key(s) stored in {keys.keys_dir()}.")


@click.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def verify_command(path: Path) -> None:
    """Check a credential file (this issuer offline; did:key; did:web via its did.json)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise click.ClickException(f"{path} is not JSON") from None
    with command_transaction():
        result = services.check(document)
    click.echo(f"issuer: {result.issuer}")
    click.echo(f"signature: {'valid' if result.signed else 'NOT valid'}")
    click.echo(
        "revocation: "
        + {None: "not checked", True: "REVOKED", False: "not revoked"}[result.revoked]
    )
    for problem in result.problems:
        click.echo(f"problem: {problem}")
    click.echo("VALID" if result.valid else "NOT VALID")
    sys.exit(0 if result.valid else 1)


credentials_cli.add_command(verify_command)
