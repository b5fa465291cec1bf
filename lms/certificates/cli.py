"""`lms certificates issue --cohort ID`: issue (and render) every certificate that is due."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from lms.certificates import pdf, services
from lms.cli_support import command_transaction
from lms.cohorts.models import Enrolment
from lms.cohorts.services import get_cohort
from lms.courses.catalogue import get_catalogue
from lms.extensions import db
from lms.permissions import SYSTEM
from lms.public import public_url

certificates_cli = AppGroup("certificates", help="Issue certificates.")
BATCH = 50


@certificates_cli.command("issue")
@click.option("--cohort", "cohort_id", required=True, type=int)
def issue(cohort_id: int) -> None:
    """Issue every certificate due in the cohort (manual approval included), with a progress bar."""
    with command_transaction():
        try:
            cohort = get_cohort(cohort_id)
        except Exception:
            raise click.UsageError(f"no cohort with id {cohort_id}") from None
        course = get_catalogue().get(cohort.course_slug)
        if course is None:
            raise click.ClickException(f"course {cohort.course_slug!r} is not loaded")
        public_url()  # every PDF prints the verify link: without the address, refuse now
        due = services.due_enrolments(cohort)
    issued = failed = 0
    label = f"Issuing {len(due)} certificate(s)"
    with click.progressbar(due, label=label, file=sys.stderr, show_pos=True) as bar:
        for number, enrolment_id in enumerate(bar, start=1):
            with command_transaction():
                certificate = services.issue(
                    db.session.get(Enrolment, enrolment_id), course, SYSTEM
                )
            try:
                with command_transaction():
                    pdf.certificate_pdf(certificate, course.path)  # render into the cache now
                issued += 1
            except pdf.CertificateRenderError as exc:
                failed += 1
                click.echo(f"\ncertificate {certificate.code}: {exc}", err=True)
            if number % BATCH == 0:
                db.session.expunge_all()  # flat memory over thousands
    click.echo(
        f"{issued} certificate(s) issued for cohort {cohort_id}"
        + (f", {failed} failed to render" if failed else "")
    )
