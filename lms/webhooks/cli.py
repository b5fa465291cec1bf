"""`lms webhooks add/list/remove`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.cli_support import command_transaction
from lms.permissions import SYSTEM, NotFound
from lms.webhooks import services
from lms.webhooks.models import EVENTS

webhooks_cli = AppGroup("webhooks", help="Webhooks (Standard Webhooks): add, list, remove.")


@webhooks_cli.command("add")
@click.argument("url")
@click.option("--event", "events", multiple=True, required=True, type=click.Choice(EVENTS),
              help="An event to send; repeat for several.")  # fmt: skip
def add(url: str, events: tuple[str, ...]) -> None:
    """Subscribe URL to events; the signing secret is printed on the last line, once."""
    with command_transaction():
        new = services.add_webhook(SYSTEM, url, events)
        webhook_id = new.webhook.id
    click.echo(f"Webhook {webhook_id} for {url}: {' '.join(events)}. Signing secret (shown once):")
    click.echo(new.secret)


@webhooks_cli.command("list")
def list_command() -> None:
    """Every webhook with its events and state (never the secret)."""
    with command_transaction():
        for webhook in services.list_webhooks(SYSTEM):
            state = "active" if webhook.active else f"disabled after {webhook.failures} failures"
            click.echo(f"{webhook.id}\t{webhook.url}\t{','.join(webhook.events)}\t{state}")


@webhooks_cli.command("remove")
@click.argument("webhook_id", type=int)
def remove(webhook_id: int) -> None:
    """Remove a webhook and its waiting deliveries."""
    try:
        with command_transaction():
            services.remove_webhook(SYSTEM, webhook_id)
    except NotFound:
        raise click.ClickException(f"no webhook {webhook_id}") from None
    click.echo(f"Removed webhook {webhook_id}.")
