"""`lms worker` (the queue: delivery and schedules, until stopped) and `lms messages ...`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from lms.extensions import db
from lms.outbox.delivery import deliver_due
from lms.outbox.models import OutboxMessage
from lms.outbox.queue import get_huey

messages_cli = AppGroup("messages", help="The outbox: messages waiting, sent and failed.")


@messages_cli.command("deliver")
def deliver_command() -> None:
    """Deliver every message due now (retries included), then exit."""
    run = deliver_due()
    click.echo(f"Sent {len(run.sent)}, retrying {len(run.retrying)}, failed {len(run.failed)}.")


@messages_cli.command("status")
def status_command() -> None:
    """How many messages are in each state."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    for status, count in sorted(rows):
        click.echo(f"{status}\t{count}")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Delivery threads.")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the queue until stopped: deliver messages after commit, sweep every minute."""
    huey = get_huey(current_app._get_current_object())
    deliver_due()  # what waited while no worker ran
    click.echo(f"Worker started ({huey.__class__.__name__}, {workers} threads).")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()
