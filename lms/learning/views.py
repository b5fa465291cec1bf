"""Trainee pages of a cohort: course home, lessons, marking done, quizzes and results."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from lms.certificates.services import valid_certificate
from lms.clock import now
from lms.cohorts import access
from lms.cohorts.services import get_cohort
from lms.courses.catalogue import get_course_or_404, media_response
from lms.courses.views import MEDIA_MAX_AGE
from lms.learning import page_versions as versions
from lms.learning import pages
from lms.learning.next_step import next_step
from lms.permissions import PermissionDenied
from lms.progress import services as progress
from lms.quizzes import services as quizzes
from lms.surveys import services as surveys
from lms.web.errors import http_error_page
from lms.web.forms import run

bp = Blueprint("learning", __name__, url_prefix="/cohorts/<int:cohort_id>")


def _language() -> str:
    return str(get_locale() or "en")


def local_time(context, moment) -> str:
    """The day `moment` falls on in the cohort's timezone, as the reader's language writes
    it: "Thursday 3 December" ("Kamis 3 Desember", "جمعرات 3 دسمبر"); the year only when
    it is not this year. Days open at midnight there, so no clock time."""
    zone = ZoneInfo(context.cohort.timezone)
    day = moment.astimezone(zone).date()
    this_year = now().astimezone(zone).year
    return format_date(day, "EEEE d MMMM" if day.year == this_year else "EEEE d MMMM y")


def _closed(context, day_number: int):
    state = context.day_state(day_number)
    return render_template(
        "learning/day_closed.html", context=context, state=state, local_time=local_time
    ), 403


def _open_lesson(context, lesson_slug: str):
    """(lesson, None) when its day is open, or (None, the "not open yet" page)."""
    try:
        return access.open_lesson(context, lesson_slug), None
    except PermissionDenied:
        return None, _closed(context, context.course.lesson(lesson_slug).day)


@bp.get("/")
@login_required
def home(cohort_id: int):
    context = access.learning_context(current_user, cohort_id)
    summary = progress.progress_of(context.enrolment, context.course) if context.enrolment else None
    language = _language()

    def quiz_key(key: str) -> str:
        status = summary.quizzes.get(key) if summary else None
        used = status.attempts if status else 0
        return versions.quiz_key(current_user, context, key, language, used)

    return render_template(
        "learning/home.html",
        context=context,
        progress=summary,
        lesson_key=lambda slug: versions.lesson_key(current_user, context, slug, language),
        quiz_key=quiz_key,
        next_step=next_step(context, summary, _language()) if summary else None,
        certificate=valid_certificate(context.enrolment.id) if context.enrolment else None,
        language=_language(),
        local_time=local_time,
    )


@bp.get("/continue")
@login_required
def resume(cohort_id: int):
    """Go to the first unfinished step of the open days."""
    context = access.learning_context(current_user, cohort_id)
    if context.enrolment is None:
        return redirect(url_for("learning.home", cohort_id=cohort_id))
    step = next_step(context, progress.progress_of(context.enrolment, context.course), _language())
    return redirect(step.url if step else url_for("learning.home", cohort_id=cohort_id))


@bp.get("/lessons/<lesson_slug>")
@login_required
def lesson(cohort_id: int, lesson_slug: str):
    user = current_user._get_current_object()  # once: each use of the proxy costs
    context = pages.lesson_context(user, cohort_id)  # read with the user: one query
    lesson, closed = _open_lesson(context, lesson_slug)
    if closed:
        return closed
    language = _language()
    done = context.completed is not None and lesson.slug in context.completed
    key = versions.lesson_key(user, context, lesson.slug, language)
    return versions.conditional_page(
        key,
        versions.page_etag(key, user, done, context.enrolment is not None),
        lambda: pages.lesson_response(context, lesson, language, user),
    )


@bp.post("/lessons/<lesson_slug>/done")
@login_required
def mark_done(cohort_id: int, lesson_slug: str):
    context = pages.lesson_context(current_user, cohort_id)  # read with the user: one query
    lesson, closed = _open_lesson(context, lesson_slug)
    if closed:
        return closed
    if context.enrolment is not None:
        run(
            lambda: progress.mark_lesson_done(
                context.enrolment, context.course, lesson, context.completed
            )
        )
    _before, after = context.course.neighbours(lesson_slug)
    day = context.course.day(lesson.day)
    if after is not None and after.day == lesson.day:
        return redirect(url_for("learning.lesson", cohort_id=cohort_id, lesson_slug=after.slug))
    if day.quiz is not None:
        return redirect(url_for("learning.quiz", cohort_id=cohort_id, quiz_key=day.quiz.key))
    return redirect(url_for("learning.home", cohort_id=cohort_id))


@bp.route("/quizzes/<quiz_key>", methods=["GET", "POST"])
@login_required
def quiz(cohort_id: int, quiz_key: str):
    context = pages.lesson_context(current_user, cohort_id)  # read with the user: one query
    quiz = quizzes.get_quiz(context, quiz_key)
    if not quizzes.quiz_is_open(context, quiz):
        if quiz.key.startswith("day-"):
            return _closed(context, int(quiz.key.removeprefix("day-")))
        raise PermissionDenied("post-test not open yet")
    if request.method == "POST":
        number = run(  # the number, read before the commit expires the attempt
            lambda: (
                quizzes.submit(
                    context, quiz_key, request.form.get("attempt", ""), request.form
                ).number
            )
        )
        if number is not None:
            return redirect(
                url_for("learning.result", cohort_id=cohort_id, quiz_key=quiz_key, number=number)
            )
    info = quizzes.attempts_info(context.enrolment, quiz) if context.enrolment else None
    language = _language()
    key = versions.quiz_key(current_user, context, quiz.key, language, info.used if info else 0)
    etag = versions.page_etag(key, current_user, info, request.method)
    if info is not None and not info.can_try:
        return versions.conditional_page(
            key,
            etag,
            lambda: render_template(
                "learning/quiz_done.html",
                context=context,
                quiz=quiz.in_language(language),
                info=info,
                knowledge_check=quizzes.is_knowledge_check(quiz.key),
            ),
        )
    form, kept = _kept_form(context, quiz_key)
    return versions.conditional_page(
        key,
        etag if form is None and request.method == "GET" else None,
        lambda: render_template(
            "learning/quiz.html",
            context=context,
            form=form or quizzes.new_attempt_form(context, quiz_key, language),
            info=info,
            knowledge_check=quizzes.is_knowledge_check(quiz.key),
            kept=kept,
        ),
    )


PENDING = "_pending_quiz"  # answers sent after the session ended, kept through sign-in


def _kept_form(context, quiz_key: str):
    """(the form as first shown, its answers) when answers were kept for this quiz."""
    pending = session.get(PENDING)
    if not pending or pending.get("path") != request.path:
        return None, {}
    session.pop(PENDING, None)
    form = quizzes.restored_form(context, quiz_key, pending.get("attempt", ""))
    return (form, pending.get("answers", {})) if form else (None, {})


@bp.errorhandler(CSRFError)
def session_ended(error: CSRFError):
    """Quiz answers sent after the session ended: keep them, have the person sign in, and
    bring them back to the quiz with the answers filled in (nothing is recorded unsigned)."""
    if request.endpoint != "learning.quiz" or request.method != "POST":
        return http_error_page(error)
    session[PENDING] = {
        "path": request.path,
        "attempt": request.form.get("attempt", "")[:2000],
        "answers": quizzes.kept_answers(request.form),
    }
    if current_user.is_authenticated:
        flash(_("Please check your answers and send them again."), "info")
        return redirect(request.path, 303)
    flash(
        _(
            "Your session had ended, so your answers were not sent yet. "
            "Sign in and they will be waiting for you."
        ),
        "info",
    )
    return redirect(url_for("auth.login", next=request.path), 303)


@bp.get("/quizzes/<quiz_key>/attempts/<int:number>")
@login_required
def result(cohort_id: int, quiz_key: str, number: int):
    context = access.learning_context(current_user, cohort_id)
    quiz = quizzes.get_quiz(context, quiz_key)
    attempt = quizzes.get_attempt(context, quiz_key, number)
    info = quizzes.attempts_info(context.enrolment, quiz)
    return render_template(
        "learning/result.html",
        context=context,
        quiz=quiz.in_language(attempt.language),
        attempt=attempt,
        info=info,
        survey=surveys.offer(context.enrolment, context.course),
        knowledge_check=quizzes.is_knowledge_check(quiz.key),
    )


@bp.get("/media/<path:filename>")
def media(cohort_id: int, filename: str):
    course = get_course_or_404(get_cohort(cohort_id).course_slug)
    return media_response(course, filename, MEDIA_MAX_AGE)
