"""`lms report (--cohort ID | --org ID [--from DATE --to DATE]) [--format csv|json|xlsx]`.

The sponsor report on stdout (or `--out FILE`): the same numbers as the page and the PDF.
`lms report monthly [--month YYYY-MM] [--dry-run]` queues the monthly summary e-mails
(`lms.reports.monthly`); `scheduled_run` is the worker's hook for it.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.cli_support import command_transaction
from lms.clock import now
from lms.permissions import SYSTEM, NotFound
from lms.reports import exports, monthly, services

log = logging.getLogger(__name__)


@click.group("report", invoke_without_command=True)
@click.option("--cohort", "cohort_id", type=int, help="One cohort.")
@click.option("--org", "org_id", type=int, help="Every cohort of an organisation.")
@click.option(
    "--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Cohorts starting on or after."
)
@click.option(
    "--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Cohorts starting on or before."
)
@click.option("--country", help="Cohorts in this country (two letters).")
@click.option("--course", help="Cohorts of this course (slug).")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv", show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@click.option("--language", default="en", show_default=True)
@click.pass_context
@with_appcontext
def report_command(
    ctx: click.Context,
    cohort_id: int | None,
    org_id: int | None,
    start: datetime | None,
    end: datetime | None,
    country: str | None,
    course: str | None,
    fmt: str,
    out: Path | None,
    language: str,
) -> None:
    """Print a cohort's or an organisation's report (the same numbers as the page and PDF).

    `lms report monthly` queues the monthly summary e-mails to sponsors."""
    if ctx.invoked_subcommand is not None:
        return
    if (cohort_id is None) == (org_id is None):
        raise click.UsageError("give either --cohort ID or --org ID")
    with command_transaction():
        try:
            if cohort_id is not None:
                report = services.cohort_report(SYSTEM, cohort_id, language)
            else:
                filters = services.Filters(
                    start=start.date() if start else None,
                    end=end.date() if end else None,
                    country=country,
                    course=course,
                )
                report = services.organisation_report(SYSTEM, org_id, filters, language)
        except NotFound:
            what = f"cohort with id {cohort_id}" if cohort_id else f"organisation with id {org_id}"
            raise click.UsageError(f"no {what}") from None
    if fmt == "xlsx":
        data = exports.report_xlsx(report)
    elif fmt == "csv":
        data = exports.report_csv(report).removeprefix("\ufeff").encode()
    else:
        data = (exports.report_json(report) + "\n").encode()
    if out is not None:
        out.write_bytes(data)
        click.echo(f"Wrote {out} ({len(data)} bytes).", err=True)
        return
    if fmt != "xlsx":
        click.echo(data.decode(), nl=False)
        return
    if sys.stdout.isatty():
        raise click.UsageError("XLSX is binary: redirect it to a file or use --out FILE")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _month_option(value: str | None):
    if value is None:
        return monthly.previous_month(now().date())
    try:
        return monthly.parse_month(value)
    except ValueError:
        raise click.BadParameter("expected YYYY-MM, e.g. 2026-11", param_hint="--month") from None


@report_command.command("monthly")
@click.option("--month", help="The month to report, YYYY-MM (default: the previous month).")
@click.option("--dry-run", is_flag=True, help="Say who would get it; queue nothing.")
@with_appcontext
def monthly_command(month: str | None, dry_run: bool) -> None:
    """Queue the monthly summary (PDF attached) to each sponsor user who opted in, once per
    user and month (sent by `lms worker` or `lms messages deliver`)."""
    first = _month_option(month)
    with command_transaction():
        result = monthly.send_monthly(SYSTEM, first, dry_run=dry_run)  # dry run: no writes
    verb = "Would queue" if dry_run else "Queued"
    click.echo(
        f"{verb} {len(result.queued)} monthly summaries for {result.month}; "
        f"{result.already} already had theirs."
    )


def scheduled_run() -> None:
    """The worker's schedule (every 15 minutes): on the 1st of a month (UTC), the previous
    month's summaries; once per user and month, so the later runs that day queue nothing."""
    today = now().date()
    if today.day != 1:
        return
    try:
        with command_transaction():
            result = monthly.send_monthly(SYSTEM, monthly.previous_month(today))
    except click.ClickException as exc:
        log.warning("monthly summaries not sent: %s", exc.message)
        return
    if result.queued:
        log.info("queued %s monthly summaries for %s", len(result.queued), result.month)
