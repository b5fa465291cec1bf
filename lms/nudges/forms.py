"""Forms: the instructor's message, message preferences, sign-in by code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange


class ComposeForm(FlaskForm):
    audience = SelectField(
        _l("To"),
        choices=[SelectChoice("all", _l("The whole cohort")),
                 SelectChoice("at_risk", _l("Trainees at risk")),
                 SelectChoice("one", _l("One trainee"))],
    )  # fmt: skip
    enrolment = SelectField(_l("Trainee"), choices=[], validate_choice=False)
    text = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=600)])


class HoursForm(FlaskForm):
    from_hour = IntegerField(_l("Send nudges from (hour)"), validators=[NumberRange(0, 23)])
    until_hour = IntegerField(_l("until (hour)"), validators=[NumberRange(1, 24)])


class ConfirmForm(FlaskForm):
    audience = HiddenField()
    enrolment = HiddenField()
    text = HiddenField()


class PreferencesForm(FlaskForm):
    channel = SelectField(_l("Reach me by"), choices=[])
    on = BooleanField(_l("Send me reminders and messages about my course"))


class CodeRequestForm(FlaskForm):
    login = StringField(
        _l("Mobile number"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


class CodeForm(FlaskForm):
    login = HiddenField()
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
