"""`/account/tokens`: a person's API tokens in their profile (create, shown once; revoke)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from lms.api import tokens
from lms.web.forms import MultiCheckboxField, run

bp = Blueprint("tokens", __name__)
SCOPE_LABELS = {
    "read": _l("read: see courses, cohorts, progress and certificates"),
    "enrol": _l("enrol: enrol and withdraw trainees"),
    "submit": _l("submit: submit quiz answers"),
    "report": _l("report: read sponsor reports"),
    "admin": _l("admin: everything, including creating cohorts and revoking certificates"),
}


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    scopes = MultiCheckboxField(
        _l("Scopes"),
        choices=[SelectChoice(scope, label) for scope, label in SCOPE_LABELS.items()],
        default=["read"],
    )
    days = IntegerField(
        _l("Days until it expires"),
        default=tokens.DEFAULT_DAYS,
        validators=[NumberRange(1, tokens.MAX_DAYS)],
    )


def _me():
    return current_user._get_current_object()


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    new = None
    if form.validate_on_submit():
        new = run(
            lambda: tokens.create_token(
                _me(), _me(), form.name.data, form.scopes.data or [], form.days.data
            ),
            form,
        )
    return render_template(
        "api/tokens.html",
        form=form,
        new=new,
        tokens=tokens.active_tokens(_me(), _me()),
    )


@bp.post("/account/tokens/revoke")
@login_required
def revoke():
    name = request.form.get("name", "")[:100]
    if run(lambda: tokens.revoke_token(_me(), _me(), name)) is not None:
        flash(_("The token “%(name)s” was revoked.", name=name), "info")
    return redirect(url_for("tokens.index"))
