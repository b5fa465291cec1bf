"""`lms cohorts create` and `lms enrol`: cohorts and bulk enrolment from the command line."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask.cli import AppGroup, with_appcontext

from lms.auth import services as accounts
from lms.cli_support import command_transaction
from lms.cohorts import bulk, services
from lms.cohorts.codes import display_code
from lms.permissions import SYSTEM

cohorts_cli = AppGroup("cohorts", help="Manage cohorts.")


def _date(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD, e.g. 2026-12-01") from None


@cohorts_cli.command("create")
@click.option("--course", "course_slug", required=True, help="Course slug (folder name).")
@click.option("--name", required=True)
@click.option("--start", required=True, callback=_date, help="Start date, YYYY-MM-DD.")
@click.option("--end", callback=_date, help="End date, YYYY-MM-DD.")
@click.option(
    "--pacing", type=click.Choice(["scheduled", "self"]), default="scheduled", show_default=True
)
@click.option("--org", "organisation", help="Sponsor organisation (created if new).")
@click.option("--timezone", default="Asia/Karachi", show_default=True)
@click.option(
    "--country", default="PK", show_default=True, help="Default region for phone numbers."
)
@click.option("--capacity", type=click.IntRange(min=1))
@click.option("--instructor", "instructor_login", help="E-mail or phone of an instructor to add.")
def create(
    course_slug,
    name,
    start,
    end,
    pacing,
    organisation,
    timezone,
    country,
    capacity,
    instructor_login,
):
    """Create a cohort and print its id and join code."""
    with command_transaction():
        org = accounts.get_or_create_organisation(organisation, SYSTEM) if organisation else None
        data = services.CohortData(
            name=name,
            course_slug=course_slug,
            start_date=start,
            end_date=end,
            timezone=timezone,
            pacing=pacing,
            capacity=capacity,
            organisation=org,
            country=country.upper(),
        )
        cohort = services.create_cohort(SYSTEM, data)
        if instructor_login:
            instructor = accounts.find_user(instructor_login)
            if instructor is None:
                raise click.UsageError(f"no account {instructor_login!r}")
            services.add_instructor(SYSTEM, cohort, instructor)
    click.echo(f"Created cohort {cohort.id}: {cohort.name}")
    click.echo(f"Join code: {display_code(cohort.join_code)}")


@click.command("enrol")
@with_appcontext
@click.option("--cohort", "cohort_id", required=True, type=int, help="Cohort id.")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--no-messages", is_flag=True, help="Do not send set-password messages to new accounts."
)
def enrol_command(cohort_id: int, file, no_messages: bool) -> None:
    """Enrol people from a CSV spreadsheet export; bad rows are reported with their line."""
    with command_transaction():
        try:
            cohort = services.get_cohort(cohort_id)
        except Exception:
            raise click.UsageError(f"no cohort with id {cohort_id}") from None
        report = bulk.bulk_enrol(SYSTEM, cohort, file.read(), send_messages=not no_messages)
        lines = [f"{file.name}:{error.line}: {error.message}" for error in report.errors]
        created = [
            f"  line {line}: {user.name} <{user.login}> {issued.link} code {issued.code}"
            for line, user, issued in report.created
        ]
    for line in lines:
        click.echo(line, err=True)
    click.echo(
        f"{len(report.enrolled)} enrolled ({len(report.created)} new accounts), "
        f"{len(report.already)} already enrolled, {len(report.errors)} rows with problems"
    )
    if created:
        click.echo("New accounts (set-password link and code):")
        click.echo("\n".join(created))
    if report.errors:
        sys.exit(1)
