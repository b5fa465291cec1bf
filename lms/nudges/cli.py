"""`lms nudges run`: evaluate the nudge rules once and queue what is due."""

from __future__ import annotations

import logging

import click
from flask.cli import AppGroup

from lms.extensions import db
from lms.nudges.links import NoPublicAddress
from lms.nudges.services import run_nudges

log = logging.getLogger(__name__)
nudges_cli = AppGroup("nudges", help="Nudges: reminders to trainees, by their progress.")


@nudges_cli.command("run")
def run_command() -> None:
    """Queue every nudge due now (sent by `lms worker` or `lms messages deliver`)."""
    try:
        result = run_nudges()
    except NoPublicAddress as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(
        f"Queued {len(result.queued)} nudges; {len(result.waiting_cohorts)} cohorts outside "
        f"their message hours wait; {result.opted_out} skipped (opted out)."
    )


def scheduled_run() -> None:
    """The worker's schedule (every 15 minutes): like `lms nudges run`, logged not printed."""
    try:
        result = run_nudges()
    except NoPublicAddress as exc:
        db.session.rollback()
        log.warning("nudges not sent: %s", exc.message)
        return
    db.session.commit()
    if result.queued:
        log.info("queued %s nudges", len(result.queued))
