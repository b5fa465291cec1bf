"""`/admin/webhooks`: the webhooks, adding one (the secret shown once), removing one,
and the delivery log with each delivery's status."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from lms.web.forms import MultiCheckboxField, run
from lms.webhooks import services
from lms.webhooks.models import EVENTS

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


class WebhookForm(FlaskForm):
    url = StringField(_l("Address (https://…)"), validators=[DataRequired(), Length(max=500)])
    events = MultiCheckboxField(
        _l("Events"),
        choices=[SelectChoice(event, event) for event in EVENTS],
    )


def _me():
    return current_user._get_current_object()


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    hooks = services.list_webhooks(_me())  # admins only, before anything else
    form = WebhookForm()
    new = None
    if form.validate_on_submit():
        new = run(lambda: services.add_webhook(_me(), form.url.data, form.events.data), form)
        hooks = services.list_webhooks(_me())
    return render_template(
        "admin/webhooks.html",
        form=form,
        new=new,
        webhooks=hooks,
        deliveries=services.deliveries(_me()),
    )


@bp.post("/<int:webhook_id>/remove")
@login_required
def remove(webhook_id: int):
    if run(lambda: services.remove_webhook(_me(), webhook_id) or True):
        flash(_("The webhook was removed."), "info")
    return redirect(url_for("webhooks.index"))
