"""Pages: a cohort's messages with their statuses and the instructor's message form
(`/teach/cohorts/<id>/messages`), requeue and cancel, the unsubscribe link
(`/messages/unsubscribe/<token>`), message preferences in the profile
(`/account/messages`) and sign-in by code (`/login/code`). Thin: parse, call, render."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from lms.auth.identity import account_key
from lms.auth.services import default_region
from lms.auth.views import sign_in
from lms.cohorts import services as cohorts
from lms.nudges import codes, preferences, staff
from lms.nudges.forms import (
    CodeForm,
    CodeRequestForm,
    ComposeForm,
    ConfirmForm,
    HoursForm,
    PreferencesForm,
)
from lms.outbox import services as outbox
from lms.outbox.segments import count_segments
from lms.web.forms import Page, page_number, run
from lms.web.i18n import safe_next
from lms.web.limits import throttle

bp = Blueprint("nudges", __name__)
CHANNEL_LABELS = {"sms": "SMS", "whatsapp": "WhatsApp", "email": "E-mail"}


def _me():
    return current_user._get_current_object()


def _compose_form(cohort) -> ComposeForm:
    form = ComposeForm()
    if request.method == "GET" and request.args.get("to", "").isdigit():
        form.audience.data, form.enrolment.data = "one", request.args["to"]
    form.enrolment.choices = [SelectChoice("", "-")] + [
        SelectChoice(str(enrolment_id), name)
        for enrolment_id, name in staff.enrolment_choices(_me(), cohort)
    ]
    return form


def _enrolment_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.get("/teach/cohorts/<int:cohort_id>/messages")
@login_required
def cohort_messages(cohort_id: int):
    cohort = cohorts.managed_cohort(_me(), cohort_id)
    filters = staff.MessageFilter(
        status=request.args.get("status", ""),
        channel=request.args.get("channel", ""),
        kind=request.args.get("kind", ""),
        user_id=_enrolment_id(request.args.get("user")),
    )
    page = page_number()
    rows, total = staff.messages_page(_me(), cohort, filters, page)
    args = {k: v for k, v in request.args.items() if k in ("status", "channel", "kind", "user")}
    return render_template(
        "nudges/messages.html", cohort=cohort, page=Page(rows, page, staff.PER_PAGE, total),
        args=args, form=_compose_form(cohort), effect=staff.effect(_me(), cohort),
        segments=count_segments, labels=CHANNEL_LABELS, action=ConfirmForm(),
        hours=HoursForm(from_hour=cohort.messages_from_hour,
                        until_hour=cohort.messages_until_hour),
    )  # fmt: skip


@bp.post("/teach/cohorts/<int:cohort_id>/messages/hours")
@login_required
def hours(cohort_id: int):
    cohort = cohorts.managed_cohort(_me(), cohort_id)
    form = HoursForm()
    if form.validate_on_submit():
        if run(lambda: staff.set_message_hours(_me(), cohort, form.from_hour.data,
                                               form.until_hour.data)) is None:  # fmt: skip
            flash(_("Saved."), "info")
    else:
        flash(_("The hours must run forward, from 0 to 24 (e.g. from 9 until 21)."), "error")
    return redirect(url_for("nudges.cohort_messages", cohort_id=cohort.id))


@bp.post("/teach/cohorts/<int:cohort_id>/messages/preview")
@login_required
def preview(cohort_id: int):
    cohort = cohorts.managed_cohort(_me(), cohort_id)
    form = _compose_form(cohort)
    if not form.validate_on_submit():
        flash(_("Write the message first."), "error")
        return redirect(url_for("nudges.cohort_messages", cohort_id=cohort.id))
    enrolment_id = _enrolment_id(form.enrolment.data)
    drafts = run(lambda: staff.drafts(_me(), cohort, form.audience.data, form.text.data,
                                      enrolment_id))  # fmt: skip
    if drafts is None:
        return redirect(url_for("nudges.cohort_messages", cohort_id=cohort.id))
    confirm = ConfirmForm(
        audience=form.audience.data, enrolment=form.enrolment.data, text=form.text.data
    )
    reachable = [d for d in drafts if d.reachable]
    return render_template(
        "nudges/preview.html", cohort=cohort, drafts=drafts, confirm=confirm,
        reachable=len(reachable), segments_total=sum(d.segments.count for d in reachable),
        cost_total=sum((d.cost for d in reachable), Decimal(0)), labels=CHANNEL_LABELS,
    )  # fmt: skip


@bp.post("/teach/cohorts/<int:cohort_id>/messages/send")
@login_required
def send(cohort_id: int):
    cohort = cohorts.managed_cohort(_me(), cohort_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    enrolment_id = _enrolment_id(form.enrolment.data)
    queued = run(lambda: staff.send_drafts(_me(), cohort, form.audience.data or "",
                                           form.text.data or "", enrolment_id))  # fmt: skip
    if queued is not None:
        flash(_("%(n)d messages are on their way.", n=queued), "info")
    return redirect(url_for("nudges.cohort_messages", cohort_id=cohort.id))


def _message_action(message_id: int, action) -> object:
    message = outbox.managed_message(_me(), message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    run(lambda: action(_me(), message))
    if message.cohort_id:
        return redirect(url_for("nudges.cohort_messages", cohort_id=message.cohort_id))
    return redirect(url_for("home.index"))


@bp.post("/teach/messages/<int:message_id>/requeue")
@login_required
def requeue(message_id: int):
    return _message_action(message_id, outbox.requeue)


@bp.post("/teach/messages/<int:message_id>/cancel")
@login_required
def cancel(message_id: int):
    return _message_action(message_id, outbox.cancel)


@bp.route("/messages/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    user = preferences.user_for_token(token)
    if user is None:
        abort(404)
    form = ConfirmForm()
    done = False
    if form.validate_on_submit():
        run(lambda: preferences.opt_out(user, via="email-link"))
        done = True
    return render_template("nudges/unsubscribe.html", form=form, done=done or not
                           preferences.messages_on(user))  # fmt: skip


@bp.route("/account/messages", methods=["GET", "POST"])
@login_required
def my_preferences():
    me = _me()
    form = PreferencesForm()
    form.channel.choices = [
        SelectChoice(c, CHANNEL_LABELS[c]) for c in preferences.available_channels(me)
    ]
    if request.method == "GET":
        form.channel.data = preferences.channel_of(me)
        form.on.data = preferences.messages_on(me)
    if form.validate_on_submit():
        if (
            run(lambda: preferences.set_preferences(me, me, form.channel.data, form.on.data))
            is None
        ):
            flash(_("Saved."), "info")
        return redirect(url_for("nudges.my_preferences"))
    return render_template("nudges/preferences.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """Step 1: the phone number; a code is sent if it has an account (the page never says)."""
    form = CodeRequestForm()
    if form.validate_on_submit():
        throttle("login_code", account=account_key(form.login.data, default_region()))
        run(lambda: codes.send_code(form.login.data))
        return render_template("nudges/login_code.html", form=CodeForm(login=form.login.data),
                               sent=True)  # fmt: skip
    return render_template("nudges/login_code.html", form=form, sent=False)


@bp.post("/login/code/check")
def login_code_check():
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("nudges/login_code.html", form=form, sent=True), 400
    throttle("login", account=account_key(form.login.data or "", default_region()))
    user = run(lambda: codes.check_code(form.login.data or "", form.code.data), form)
    if user is None:
        return render_template("nudges/login_code.html", form=form, sent=True), 400
    sign_in(user)
    return redirect(safe_next(request.args.get("next"), url_for("home.index")))
