"""Pages for sessions and attendance: the instructor's sessions, register and code screen
(`/teach/cohorts/<id>/sessions/...`), and the trainee's check-in (`/checkin/<code>`)."""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.attendance import services
from lms.attendance.forms import CheckInCodeForm, SessionForm
from lms.auth.models import User
from lms.cohorts.codes import display_code, normalise_code
from lms.cohorts.services import managed_cohort
from lms.errors import ServiceError
from lms.extensions import db
from lms.web.forms import run
from lms.web.limits import hit

bp = Blueprint("attendance", __name__)  # staff pages
checkin_bp = Blueprint("checkin", __name__)  # the trainee's check-in
SESSIONS = "/teach/cohorts/<int:cohort_id>/sessions"
CHECKIN_PER_USER, CHECKIN_PER_ADDRESS = 20, 300  # per 15 minutes; a class may share one IP


def _me() -> User:
    return current_user._get_current_object()


def _public_root() -> str:
    return (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/")


@bp.route(SESSIONS, methods=["GET", "POST"])
@login_required
def sessions(cohort_id: int):
    cohort = managed_cohort(_me(), cohort_id)
    listed = services.sessions_of(_me(), cohort)
    form = SessionForm()
    if form.validate_on_submit():
        data = services.SessionData(form.day.data, form.start.data, form.end.data, form.place.data)
        if run(lambda: services.create_session(_me(), cohort, data), form) is not None:
            flash(_("Session added."), "info")
            return redirect(url_for("attendance.sessions", cohort_id=cohort.id))
    return render_template(
        "attendance/sessions.html",
        cohort=cohort,
        sessions=listed,
        present=services.session_counts(listed),
        form=form,
        local=services.local_time,
        running=services.is_running,
    )


@bp.get(SESSIONS + "/<int:session_id>/")
@login_required
def register(cohort_id: int, session_id: int):
    cohort = managed_cohort(_me(), cohort_id)
    session = services.managed_session(_me(), cohort, session_id)
    return render_template(
        "attendance/register.html",
        cohort=cohort,
        session=session,
        lines=services.register(_me(), session),
        local=services.local_time,
        running=services.is_running(session),
    )


@bp.post(SESSIONS + "/<int:session_id>/")
@login_required
def mark(cohort_id: int, session_id: int):
    cohort = managed_cohort(_me(), cohort_id)
    session = services.managed_session(_me(), cohort, session_id)
    present = {int(v) for v in request.form.getlist("present") if v.isdigit() and len(v) < 10}
    result = run(lambda: services.mark(_me(), session, present))
    if result is not None:
        flash(_("Attendance saved: %(added)d added, %(removed)d removed.", added=result[0],
                removed=result[1]), "info")  # fmt: skip
    return redirect(url_for("attendance.register", cohort_id=cohort.id, session_id=session.id))


@bp.get(SESSIONS + "/<int:session_id>/code")
@login_required
def code(cohort_id: int, session_id: int):
    """The code and QR to show in the room; the page reloads itself when the code changes."""
    cohort = managed_cohort(_me(), cohort_id)
    session = services.managed_session(_me(), cohort, session_id)
    shown = services.current_code(_me(), session)
    link = qr = None
    if shown is not None:
        link = _public_root() + url_for("checkin.check_in", code=shown.code)
        qr = segno.make(link, error="m").svg_inline(scale=6, dark="#1b1f23", title=link)
    response = current_app.make_response(
        render_template(
            "attendance/code.html",
            cohort=cohort,
            session=session,
            shown=shown,
            code=display_code(shown.code) if shown else None,
            link=link,
            qr=qr,
            typing=_public_root() + url_for("checkin.check_in_form"),
            local=services.local_time,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post(SESSIONS + "/<int:session_id>/delete")
@login_required
def delete(cohort_id: int, session_id: int):
    cohort = managed_cohort(_me(), cohort_id)
    session = services.managed_session(_me(), cohort, session_id)
    if request.form.get("confirm") == "yes":
        run(lambda: services.delete_session(_me(), session) or True)
        flash(_("Session removed."), "info")
    return redirect(url_for("attendance.sessions", cohort_id=cohort.id))


@checkin_bp.get("/checkin")
def check_in_form():
    """Type the code shown in the room (for phones that cannot scan the QR)."""
    typed = normalise_code(request.args.get("code", ""))
    if typed:
        return redirect(url_for("checkin.check_in", code=typed))
    return render_template(
        "attendance/checkin_form.html", form=CheckInCodeForm(meta={"csrf": False})
    )


def _throttle() -> None:
    hit(f"checkin:user:{current_user.id}", CHECKIN_PER_USER, 15 * 60)
    hit(f"checkin:ip:{request.remote_addr}", CHECKIN_PER_ADDRESS, 15 * 60)


def _refused(typed: str):
    form = CheckInCodeForm(meta={"csrf": False}, code=display_code(normalise_code(typed)[:20]))
    form.code.errors = [services.CodeRefused().message]
    return render_template("attendance/checkin_form.html", form=form), 404


@checkin_bp.route("/checkin/<code>", methods=["GET", "POST"])
@login_required
def check_in(code: str):
    """GET asks "check in to this session?"; POST (with CSRF) records it, once."""
    _throttle()
    try:
        if request.method == "POST":
            found = services.check_in(_me(), code)
        else:
            found = services.find_check_in(_me(), code)
    except ServiceError:
        return _refused(code)
    if request.method == "POST":
        db.session.commit()
    return render_template(
        "attendance/checkin.html",
        found=found,
        code=normalise_code(code),
        done=request.method == "POST" or found.already,
        local=services.local_time,
    )
