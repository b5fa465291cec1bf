"""Sign in, sign out, register, change and reset passwords."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.auth import services
from lms.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetCodeForm,
    ResetRequestForm,
    SetPasswordForm,
)
from lms.auth.identity import account_key
from lms.errors import ServiceError
from lms.extensions import db
from lms.web.forms import run, show_error
from lms.web.i18n import safe_next
from lms.web.limits import throttle

bp = Blueprint("auth", __name__)


def sign_in(user) -> None:
    """A fresh session for the signed-in user (no fixation of an earlier session). The
    language and quiz answers sent after the session ended are carried over (the quiz
    page keeps the answers only for the enrolment their signed form was issued to)."""
    language, pending = session.get("_lang"), session.get("_pending_quiz")
    session.clear()
    login_user(user)
    session.permanent = True
    if language:
        session["_lang"] = language
    if pending:
        session["_pending_quiz"] = pending


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        throttle("login", account=_account(form.login.data))
        user = services.authenticate(form.login.data, form.password.data)
        db.session.commit()
        if user is not None:
            sign_in(user)
            return redirect(safe_next(form.next.data, url_for("home.index")))
        form.password.errors = [_("The login or the password is not right.")]
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    services.end_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    response = redirect(url_for("home.index"))
    # A shared phone: the next person must not find this person's pages or answers.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_app.config["REGISTRATION"] != "open":
        return render_template("auth/invite_only.html"), 403
    form = RegisterForm(
        language=request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"
    )
    if form.validate_on_submit():
        user = run(lambda: _create_trainee(form), form)
        if user is not None:
            sign_in(user)
            flash(_("Welcome! Join your cohort with the code your instructor gave you."), "info")
            return redirect(url_for("home.index"))
    return render_template("auth/register.html", form=form)


def _create_trainee(form: RegisterForm, region: str | None = None):
    return services.create_user(
        name=form.name.data,
        login=form.login.data,
        password=form.password.data,
        language=form.language.data,
        region=region,
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if run(
            lambda: services.change_password(user, form.current.data, form.password.data) or True,
            form,
        ):
            sign_in(user)  # this session continues; every other one has ended
            flash(_("Your password is changed. You are signed out everywhere else."), "info")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user, consent=user.profile_consent)
    if form.validate_on_submit():
        services.update_profile(
            user,
            language=form.language.data,
            consent=form.consent.data,
            gender=form.gender.data,
            age_band=form.age_band.data,
            district=form.district.data,
            monthly_report=form.monthly_report.data,
        )
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        throttle("reset", account=_account(form.login.data))
        services.request_reset(form.login.data)
        db.session.commit()
        flash(
            _("If an account exists for this login, we have sent a link and a code to it."), "info"
        )
        return redirect(url_for("auth.reset_with_code"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/code", methods=["GET", "POST"])
def reset_with_code():
    form = ResetCodeForm()
    if form.validate_on_submit():
        throttle("reset", account=_account(form.login.data))
        user = run(
            lambda: services.reset_with_code(form.login.data, form.code.data, form.password.data),
            form,
        )
        if user is not None:
            sign_in(user)
            flash(_("Your password is set."), "info")
            return redirect(url_for("home.index"))
    return render_template("auth/reset_code.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_token(token: str):
    try:
        user = services.token_user(token)
    except ServiceError as error:
        show_error(None, error)
        return redirect(url_for("auth.request_reset"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        if run(lambda: services.reset_with_token(token, form.password.data), form) is not None:
            sign_in(user)
            flash(_("Your password is set."), "info")
            return redirect(url_for("home.index"))
    return render_template("auth/reset_token.html", form=form, user=user)


def _account(typed: str | None) -> str:
    return account_key(typed or "", current_app.config.get("DEFAULT_COUNTRY", "PK"))
