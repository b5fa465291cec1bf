"""Forms for joining, creating and editing cohorts, and uploading a spreadsheet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

TIMEZONES = ["Asia/Karachi", "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC"]


class JoinCodeForm(FlaskForm):
    code = StringField(
        _l("Cohort code"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"},
    )


def _optional_int(value) -> int | None:
    """A select's value as an id; empty for "none"."""
    if value in (None, "", "None"):
        return None
    return int(value)


class CohortForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    course_slug = SelectField(_l("Course"), choices=[])
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    timezone = SelectField(_l("Timezone"), choices=[SelectChoice(tz) for tz in TIMEZONES])
    country = SelectField(
        _l("Country (for phone numbers)"),
        choices=[SelectChoice("PK", "Pakistan"), SelectChoice("ID", "Indonesia")],
    )
    pacing = SelectField(
        _l("Pacing"),
        choices=[
            SelectChoice("scheduled", _l("One day at a time")),
            SelectChoice("self", _l("All days open")),
        ],
    )
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=1, max=100000)])
    organisation = SelectField(_l("Sponsor organisation"), choices=[], coerce=_optional_int)
    new_organisation = StringField(  # shown to admins only: they add organisations
        _l("Or add a new organisation"), validators=[Optional(), Length(max=200)]
    )
    instructors = SelectMultipleField(_l("Instructors"), choices=[], coerce=int)
    sponsor_sees_names = BooleanField(_l("The sponsor may see trainees' names and progress"))


class UploadForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet (CSV)"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))],
    )


class AddInstructorForm(FlaskForm):
    login = StringField(
        _l("Instructor's e-mail or mobile number"), validators=[DataRequired(), Length(max=254)]
    )
