"""Admin pages: `/admin/users`, `/admin/organisations`, `/admin/audit`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.admin import services
from lms.admin.forms import OrganisationForm, StaffForm, UserForm
from lms.auth import services as accounts
from lms.people import requests as deletion
from lms.people import services as people
from lms.web.forms import page_number, run

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _me():
    return current_user._get_current_object()


@bp.get("/")
@login_required
def index():
    services.organisations(_me())  # admins only
    return redirect(url_for("admin.users"))


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    search = request.args.get("q", "")[:100]
    page = services.users(_me(), search, page_number())
    form = StaffForm()
    if form.validate_on_submit():

        def create():
            organisation = (
                accounts.get_or_create_organisation(form.organisation.data, _me())
                if form.organisation.data
                else None
            )
            user = accounts.create_user(
                name=form.name.data,
                login=form.login.data,
                password=None,
                role=form.role.data,
                organisation=organisation,
                actor=_me(),
            )
            return user, accounts.issue_token(user, "welcome", actor=_me())

        created = run(create, form)
        if created is not None:
            user, issued = created
            return render_template("admin/user_created.html", user=user, issued=issued)
    return render_template("admin/users.html", page=page, search=search, form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user(user_id: int):
    person = services.get_user(_me(), user_id)
    if person is None:
        abort(404)
    form = UserForm(obj=person)
    if request.method == "GET":
        form.organisation.data = person.organisation.name if person.organisation else ""
    if form.validate_on_submit():

        def save():
            organisation = (
                accounts.get_or_create_organisation(form.organisation.data, _me())
                if form.organisation.data
                else None
            )
            accounts.set_role(_me(), person, form.role.data, organisation)
            accounts.set_active(_me(), person, form.active.data)
            return True

        if run(save, form):
            flash(_("Saved."), "info")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template(
        "admin/user.html",
        person=person,
        form=form,
        erasable=people.erasable(_me(), person),
        deletion=deletion.pending_for(_me(), person),
    )


@bp.route("/organisations", methods=["GET", "POST"])
@login_required
def organisations():
    existing = services.organisations(_me())  # admins only, before any form handling
    form = OrganisationForm()
    if form.validate_on_submit():
        if (
            run(lambda: accounts.get_or_create_organisation(form.name.data, _me()), form)
            is not None
        ):
            flash(_("Saved."), "info")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisations.html", organisations=existing, form=form)


@bp.get("/audit")
@login_required
def audit():
    page = services.audit_entries(_me(), page_number())
    return render_template("admin/audit.html", page=page, zones=services.entry_zones(page.items))
