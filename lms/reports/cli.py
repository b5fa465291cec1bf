"""`lms report (--cohort ID | --org ID [--from DATE --to DATE]) [--format csv|json|xlsx]`.

The sponsor report on stdout (or `--out FILE`): the same numbers as the page and the PDF.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.cli_support import command_transaction
from lms.permissions import SYSTEM, NotFound
from lms.reports import exports, services


@click.command("report")
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
@with_appcontext
def report_command(
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
    """Print a cohort's or an organisation's report (the same numbers as the page and PDF)."""
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
