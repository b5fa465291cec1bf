"""Personal-data pages: a person's download and deletion request (`/account/...`), and the
admins' list of deletion requests and erase-with-confirmation (`/admin/...`). Thin: the
rules, permission checks first, are in `services` and `requests`."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.auth.models import User
from lms.clock import utcnow_naive
from lms.extensions import db
from lms.people import requests, services
from lms.people.forms import DeletionRequestForm, EraseForm
from lms.people.models import PENDING
from lms.permissions import require_role
from lms.web.forms import attachment, page_number, run

bp = Blueprint("people", __name__)


def _me() -> User:
    return current_user._get_current_object()


@bp.get("/account/data.json")
@login_required
def download():
    data = services.personal_data(_me(), _me())
    db.session.commit()  # the audit entry
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return attachment(body, "application/json", f"my-data-{utcnow_naive():%Y-%m-%d}.json")


@bp.route("/account/deletion", methods=["GET", "POST"])
@login_required
def deletion():
    pending = requests.current_request(_me())  # trainees only, before any form handling
    form = DeletionRequestForm()
    if pending is None and form.validate_on_submit():
        if run(lambda: requests.request_deletion(_me()), form) is not None:
            flash(_("Your request was sent. An admin will erase your data."), "info")
            return redirect(url_for("people.deletion"))
    return render_template("people/deletion.html", pending=pending, form=form)


@bp.post("/account/deletion/withdraw")
@login_required
def withdraw():
    requests.current_request(_me())  # trainees only
    if run(lambda: requests.withdraw_deletion(_me())) is not None:
        flash(_("Your deletion request was withdrawn. Nothing was deleted."), "info")
    return redirect(url_for("people.deletion"))


@bp.get("/admin/deletion-requests", endpoint="requests")
@login_required
def deletion_requests():
    status = request.args.get("status", PENDING)
    page = requests.deletion_requests(_me(), status, page_number())
    return render_template("people/requests.html", page=page, status=status)


def _person(user_id: int) -> User:
    require_role(_me(), "admin")
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    return person


@bp.route("/admin/users/<int:user_id>/erase", methods=["GET", "POST"])
@login_required
def erase(user_id: int):
    person = _person(user_id)  # admins only, before any form handling
    form = EraseForm()
    if form.validate_on_submit():
        if run(lambda: services.erase_confirmed(_me(), person, form.confirm.data), form):
            flash(_("The person was erased. Their certificates now show as withdrawn."), "info")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template(
        "people/erase.html",
        person=person,
        form=form,
        erasable=services.erasable(_me(), person),
        pending=requests.pending_for(_me(), person),
    )
