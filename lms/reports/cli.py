"""`lms report --cohort ID [--format csv|json]`: the sponsor report on stdout."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.cli_support import command_transaction
from lms.permissions import SYSTEM
from lms.reports import exports, services


@click.command("report")
@click.option("--cohort", "cohort_id", required=True, type=int)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option("--language", default="en", show_default=True)
@with_appcontext
def report_command(cohort_id: int, fmt: str, language: str) -> None:
    """Print the cohort's report (the same numbers as the page, CSV and PDF)."""
    with command_transaction():
        try:
            report = services.cohort_report(SYSTEM, cohort_id, language)
        except Exception as exc:
            if exc.__class__.__name__ == "NotFound":
                raise click.UsageError(f"no cohort with id {cohort_id}") from None
            raise
    text = (
        exports.report_csv(report).removeprefix("\ufeff")
        if fmt == "csv"
        else exports.report_json(report)
    )
    click.echo(text, nl=fmt == "json")
