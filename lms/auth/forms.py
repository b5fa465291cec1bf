"""Forms for signing in, registering and passwords."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

LANGUAGE_CHOICES = [
    SelectChoice("en", "English"),
    SelectChoice("ur", "اردو"),
    SelectChoice("id", "Bahasa Indonesia"),
]


class LoginForm(FlaskForm):
    login = StringField(
        _l("E-mail or mobile number"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    login = StringField(
        _l("E-mail or mobile number"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


NOT_SAID = SelectChoice("", _l("Prefer not to say"))
GENDERS = [NOT_SAID, SelectChoice("female", _l("Woman")), SelectChoice("male", _l("Man"))]
GENDERS.append(SelectChoice("other", _l("Other")))
AGE_BANDS = [NOT_SAID, SelectChoice("under-18", _l("Under 18")), SelectChoice("18-24", "18-24")]
AGE_BANDS += [SelectChoice("25-34", "25-34"), SelectChoice("35+", _l("35 or older"))]
CONSENT = _l(
    "I agree that my answers below may be counted, without my name, "
    "in reports for the programme's sponsor."
)


class ProfileForm(FlaskForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    consent = BooleanField(CONSENT)
    gender = SelectField(_l("Gender"), choices=GENDERS)
    age_band = SelectField(_l("Age"), choices=AGE_BANDS)
    district = StringField(_l("District"), validators=[Length(max=100)])
    monthly_report = BooleanField(_l("Send me the monthly summary of our programme by e-mail"))


class ResetRequestForm(FlaskForm):
    login = StringField(
        _l("E-mail or mobile number"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class ResetCodeForm(SetPasswordForm):
    login = StringField(
        _l("E-mail or mobile number"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
