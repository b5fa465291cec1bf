"""The survey page: `/cohorts/<id>/survey`, offered after the post-test. Optional, anonymous."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.cohorts import access as learning
from lms.permissions import NotFound, PermissionDenied
from lms.surveys import services
from lms.web.forms import run

bp = Blueprint("surveys", __name__, url_prefix="/cohorts/<int:cohort_id>")


@bp.route("/survey", methods=["GET", "POST"])
@login_required
def survey(cohort_id: int):
    context = learning.learning_context(current_user, cohort_id)
    offer = services.offer(context.enrolment, context.course)
    if offer.survey is None:
        raise NotFound()
    if not offer.due:
        raise PermissionDenied("the survey opens after the post-test")
    if request.method == "POST" and not offer.answered:
        stored = run(lambda: services.submit(context.enrolment, context.course, request.form))
        if stored is not None:
            flash(_("Thank you for your feedback."), "success")
            return redirect(url_for("learning.home", cohort_id=cohort_id))
    shown = offer.survey.in_language(str(get_locale() or "en"))
    return render_template(
        "learning/survey.html", context=context, survey=shown, answered=offer.answered
    )
