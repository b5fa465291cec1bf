"""Instructor pages: their cohorts, creating and editing one, the roster, bulk enrolment."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from lms.attendance import services as attendance
from lms.audit.services import record
from lms.auth import services as accounts
from lms.auth.models import User
from lms.certificates.services import valid_certificate
from lms.cohorts import bulk, services
from lms.cohorts.codes import display_code
from lms.cohorts.forms import AddInstructorForm, CohortForm, UploadForm
from lms.courses.catalogue import get_catalogue
from lms.db import write_after_read
from lms.errors import ServiceError
from lms.extensions import db
from lms.permissions import is_admin
from lms.progress import services as progress
from lms.quizzes import services as quizzes
from lms.reports import items, roster
from lms.reports.exports import write_csv, write_xlsx
from lms.web.forms import Page, attachment, page_number, run

bp = Blueprint("teach", __name__, url_prefix="/teach")
ROSTER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _me() -> User:
    return current_user._get_current_object()


@bp.get("/")
@login_required
def cohorts():
    return render_template(
        "cohorts/list.html", cohorts=services.cohorts_for(_me()), catalogue=get_catalogue()
    )


def _cohort_form(cohort=None) -> CohortForm:
    """The cohort form; sponsor and instructors are chosen from lists, never typed."""
    form = CohortForm(obj=cohort)
    if cohort is not None and request.method == "GET":
        form.organisation.data = cohort.organisation_id
        form.instructors.data = [user.id for user in cohort.instructors]
    form.course_slug.choices = [SelectChoice(c.slug, c.title()) for c in get_catalogue().all()]
    form.organisation.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(o.id, o.name) for o in accounts.organisation_choices(_me())
    ]
    form.instructors.choices = [
        SelectChoice(u.id, f"{u.name} ({u.email or u.phone})")
        for u in accounts.instructor_choices(_me())
    ]
    if not is_admin(_me()):
        del form.new_organisation  # only admins add organisations
    return form


def _cohort_data(form: CohortForm) -> services.CohortData:
    if "new_organisation" in form and (form.new_organisation.data or "").strip():
        organisation = accounts.get_or_create_organisation(form.new_organisation.data, _me())
    else:
        organisation = accounts.chosen_organisation(_me(), form.organisation.data)
    chosen = set(form.instructors.data or [])
    instructors = tuple(u for u in accounts.instructor_choices(_me()) if u.id in chosen)
    return services.CohortData(
        name=form.name.data,
        course_slug=form.course_slug.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        timezone=form.timezone.data,
        pacing=form.pacing.data,
        capacity=form.capacity.data,
        organisation=organisation,
        country=form.country.data,
        sponsor_sees_names=form.sponsor_sees_names.data,
        instructors=instructors,
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
@login_required
def create():
    services.cohorts_for(_me())  # instructors and admins only
    form = _cohort_form()
    if form.validate_on_submit():
        cohort = run(lambda: services.create_cohort(_me(), _cohort_data(form)), form)
        if cohort is not None:
            flash(
                _(
                    "Cohort created. Share the join code %(code)s with your trainees.",
                    code=display_code(cohort.join_code),
                ),
                "info",
            )
            return redirect(url_for("teach.roster_page", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@login_required
def edit(cohort_id: int):
    cohort = services.managed_cohort(_me(), cohort_id)
    form = _cohort_form(cohort)
    if form.validate_on_submit():
        if run(lambda: services.update_cohort(_me(), cohort, _cohort_data(form)), form) is not None:
            flash(_("Cohort saved."), "info")
            return redirect(url_for("teach.roster_page", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort)


def _roster_rows(cohort, course):
    sort = request.args.get("sort", "name")
    return roster.roster_rows(
        _me(),
        cohort,
        course,
        sort=sort if sort in roster.SORTS else "name",
        at_risk_only=request.args.get("filter") == "at-risk",
        search=request.args.get("q", "")[:100],
    )


@bp.get("/cohorts/<int:cohort_id>/")
@login_required
def roster_page(cohort_id: int):
    cohort = services.managed_cohort(_me(), cohort_id)
    course = get_catalogue().get(cohort.course_slug)
    if course is None:
        abort(404)
    rows = _roster_rows(cohort, course)
    page = page_number()
    items = rows[(page - 1) * ROSTER_PAGE : page * ROSTER_PAGE]
    return render_template(
        "cohorts/roster.html",
        cohort=cohort,
        course=course,
        page=Page(items, page, ROSTER_PAGE, len(rows)),
        args={k: v for k, v in request.args.items() if k in ("sort", "filter", "q")},
        upload=UploadForm(),
        add_instructor=AddInstructorForm(),
    )


@bp.get("/cohorts/<int:cohort_id>/roster.csv")
@login_required
def roster_csv(cohort_id: int):
    cohort = services.managed_cohort(_me(), cohort_id)
    course = get_catalogue().get(cohort.course_slug)
    if course is None:
        abort(404)
    body = write_csv(roster.roster_csv_rows(_roster_rows(cohort, course), course))
    write_after_read(lambda: record("roster.export", _me(), cohort))
    return attachment(body, "text/csv; charset=utf-8", f"roster-cohort-{cohort.id}.csv")


@bp.get("/cohorts/<int:cohort_id>/roster.xlsx")
@login_required
def roster_xlsx(cohort_id: int):
    """The same rows and labels as the CSV, numbers as numbers."""
    cohort = services.managed_cohort(_me(), cohort_id)
    course = get_catalogue().get(cohort.course_slug)
    if course is None:
        abort(404)
    body = write_xlsx(roster.roster_csv_rows(_roster_rows(cohort, course), course), cohort.name)
    write_after_read(lambda: record("roster.export", _me(), cohort, format="xlsx"))
    return attachment(body, XLSX, f"roster-cohort-{cohort.id}.xlsx")


@bp.get("/cohorts/<int:cohort_id>/items")
@login_required
def item_analysis(cohort_id: int):
    """Per quiz question: share right on first attempts, top wrong answer, discrimination."""
    cohort = services.managed_cohort(_me(), cohort_id)
    course = get_catalogue().get(cohort.course_slug)
    if course is None:
        abort(404)
    analysed = [(quiz, items.item_analysis(_me(), cohort, quiz)) for quiz in course.quizzes()]
    return render_template("cohorts/items.html", cohort=cohort, course=course, quizzes=analysed)


@bp.get("/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/")
@login_required
def trainee(cohort_id: int, enrolment_id: int):
    """One trainee's progress per day and every quiz attempt, with extra-attempt grants."""
    cohort = services.managed_cohort(_me(), cohort_id)
    enrolment = services.managed_enrolment(_me(), cohort, enrolment_id)
    course = get_catalogue().get(cohort.course_slug)
    return render_template(
        "cohorts/trainee.html",
        cohort=cohort,
        enrolment=enrolment,
        course=course,
        progress=progress.progress_of(enrolment, course) if course else None,
        attempts=quizzes.attempts_of(_me(), enrolment),
        sessions=attendance.attendance_of(_me(), enrolment),
        local=attendance.local_time,
        certificate=valid_certificate(enrolment.id),
        limits={quiz.key: quizzes.attempts_info(enrolment, quiz) for quiz in course.quizzes()}
        if course
        else {},
    )


@bp.post("/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/grant/<quiz_key>")
@login_required
def grant(cohort_id: int, enrolment_id: int, quiz_key: str):
    cohort = services.managed_cohort(_me(), cohort_id)
    enrolment = services.managed_enrolment(_me(), cohort, enrolment_id)
    course = get_catalogue().get(cohort.course_slug)
    quiz = course.quiz(quiz_key) if course else None
    if quiz is None:
        abort(404)
    if run(lambda: quizzes.grant_attempt(_me(), enrolment, quiz) or True):
        flash(
            _(
                "%(name)s has one more attempt at %(quiz)s.",
                name=enrolment.user.name,
                quiz=quiz.title,
            ),
            "info",
        )
    return redirect(url_for("teach.trainee", cohort_id=cohort.id, enrolment_id=enrolment.id))


@bp.post("/cohorts/<int:cohort_id>/code")
@login_required
def rotate_code(cohort_id: int):
    cohort = services.managed_cohort(_me(), cohort_id)
    code = run(lambda: services.rotate_code(_me(), cohort))
    shown = display_code(code) if code else code
    flash(_("New join code: %(code)s. The old code no longer works.", code=shown), "info")
    return redirect(url_for("teach.roster_page", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/instructors")
@login_required
def add_instructor(cohort_id: int):
    cohort = services.managed_cohort(_me(), cohort_id)
    form = AddInstructorForm()
    if form.validate_on_submit():
        user = accounts.find_user(form.login.data)
        if user is None:
            flash(_("No account with this login."), "error")
        elif run(lambda: services.add_instructor(_me(), cohort, user) or True) is not None:
            flash(_("%(name)s now teaches this cohort.", name=user.name), "info")
    return redirect(url_for("teach.roster_page", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/withdraw")
@login_required
def withdraw(cohort_id: int, enrolment_id: int):
    cohort = services.managed_cohort(_me(), cohort_id)
    enrolment = services.managed_enrolment(_me(), cohort, enrolment_id)
    if request.form.get("confirm") != "yes":
        return render_template("cohorts/withdraw_confirm.html", cohort=cohort, enrolment=enrolment)
    run(lambda: services.withdraw(_me(), enrolment))
    flash(_("%(name)s was withdrawn.", name=enrolment.user.name), "info")
    return redirect(url_for("teach.roster_page", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/reset")
@login_required
def issue_reset(cohort_id: int, enrolment_id: int):
    """An instructor gives a trainee a new set-password link and code to pass on."""
    cohort = services.managed_cohort(_me(), cohort_id)
    enrolment = services.managed_enrolment(_me(), cohort, enrolment_id)
    issued = run(lambda: accounts.issue_token(enrolment.user, "reset", actor=_me()))
    if issued is None:
        abort(400)
    return render_template(
        "cohorts/reset_issued.html", cohort=cohort, enrolment=enrolment, issued=issued
    )


@bp.route("/cohorts/<int:cohort_id>/enrol", methods=["GET", "POST"])
@login_required
def upload(cohort_id: int):
    cohort = services.managed_cohort(_me(), cohort_id)
    form = UploadForm()
    report = None
    if form.validate_on_submit():
        with form.file.data.stream as upload:  # a large upload is a temporary file: close it
            data = upload.read()
        try:
            report = bulk.bulk_enrol(_me(), cohort, data)
            db.session.commit()
        except ServiceError as error:  # pragma: no cover - bulk reports row errors itself
            db.session.rollback()
            flash(error.message, "error")
    return render_template("cohorts/upload.html", cohort=cohort, form=form, report=report)


sponsor_bp = Blueprint("sponsor", __name__, url_prefix="/sponsor")


@sponsor_bp.get("/")
@login_required
def cohorts_list():
    return render_template(
        "cohorts/sponsor_list.html",
        cohorts=services.sponsored_cohorts(_me()),
        catalogue=get_catalogue(),
    )
