"""Admin forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

ROLE_CHOICES = [
    SelectChoice("trainee", _l("Trainee")),
    SelectChoice("instructor", _l("Instructor")),
    SelectChoice("sponsor", _l("Sponsor")),
    SelectChoice("admin", _l("Admin")),
]


class UserForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    organisation = StringField(
        _l("Organisation (for sponsors)"), validators=[Optional(), Length(max=200)]
    )
    active = BooleanField(_l("Account enabled"))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])


class StaffForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    login = StringField(_l("E-mail or mobile number"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    organisation = StringField(
        _l("Organisation (for sponsors)"), validators=[Optional(), Length(max=200)]
    )
