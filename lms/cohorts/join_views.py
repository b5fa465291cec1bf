"""Joining a cohort with its code: `/join` and `/join/<code>` (contract URLs)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth import services as accounts
from lms.auth.forms import RegisterForm
from lms.auth.views import sign_in
from lms.cohorts import services
from lms.cohorts.codes import display_code, normalise_code
from lms.cohorts.forms import JoinCodeForm
from lms.courses.catalogue import get_catalogue
from lms.errors import ServiceError
from lms.web.forms import run
from lms.web.limits import count_failure, refuse_if_exceeded, throttle

bp = Blueprint("join", __name__)


@bp.app_template_filter("join_code")
def join_code_filter(code: str) -> str:
    """A join code as people see it everywhere (`XES-5ZR`, as the CLI prints it)."""
    return display_code(code)


@bp.get("/join")
def join_form():
    """The code form (also on the home page); a typed code goes to its join page."""
    code = normalise_code(request.args.get("code", ""))
    if code:
        return redirect(url_for("join.join", code=code))
    return render_template("cohorts/join_code.html", form=JoinCodeForm(meta={"csrf": False}))


@bp.route("/join/<code>", methods=["GET", "POST"])
def join(code: str):
    """Guessing codes is limited per account and (far higher) per address, counting unknown
    codes only; a known code has a generous limit of its own, so a class can join at once."""
    account = f"user:{current_user.id}" if current_user.is_authenticated else None
    refuse_if_exceeded("join", account=account)
    cohort = services.cohort_by_code(code)
    if cohort is None:
        count_failure("join", account=account)
    else:
        throttle("join", code=cohort.join_code)
    if cohort is not None and current_user.is_authenticated:
        if services.is_enrolled(current_user, cohort):
            flash(_("You are already in this cohort."), "info")
            return redirect(url_for("learning.home", cohort_id=cohort.id))
    try:
        services.check_joinable(cohort)
    except ServiceError as error:
        form = JoinCodeForm(meta={"csrf": False}, code=display_code(normalise_code(code)))
        form.code.errors = [error.message]
        return render_template("cohorts/join_code.html", form=form), 404 if cohort is None else 409
    course = get_catalogue().get(cohort.course_slug)
    if current_user.is_authenticated:
        return _join_signed_in(cohort, course)
    return _join_and_register(cohort, course)


def _join_signed_in(cohort, course):
    if request.method == "POST":
        result = run(lambda: services.join(current_user._get_current_object(), cohort.join_code))
        if result is not None:
            if result.created:
                flash(_("You have joined %(name)s.", name=cohort.name), "info")
            else:
                flash(_("You are already in this cohort."), "info")
            return redirect(url_for("learning.home", cohort_id=cohort.id))
    return render_template("cohorts/join_confirm.html", cohort=cohort, course=course)


def _join_and_register(cohort, course):
    """A new trainee registers here and lands enrolled; the join code is the invitation."""
    form = RegisterForm(
        language=request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"
    )
    if form.validate_on_submit():

        def register_and_join():
            user = accounts.create_user(
                name=form.name.data,
                login=form.login.data,
                password=form.password.data,
                language=form.language.data,
                region=cohort.country,
            )
            services.join(user, cohort.join_code)
            return user

        user = run(register_and_join, form)
        if user is not None:
            sign_in(user)
            flash(_("Welcome! You have joined %(name)s.", name=cohort.name), "info")
            return redirect(url_for("learning.home", cohort_id=cohort.id))
    return render_template("cohorts/join_register.html", cohort=cohort, course=course, form=form)
