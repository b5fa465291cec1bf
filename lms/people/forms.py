"""Forms: a trainee's deletion request (a box to tick) and an admin's erase (a name to type)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length


class DeletionRequestForm(FlaskForm):
    understood = BooleanField(
        _l("I understand: my name and contact details will be removed and cannot be brought back"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class EraseForm(FlaskForm):
    confirm = StringField(
        _l("Type the person's name or e-mail to confirm"),
        validators=[DataRequired(message=_l("Type the name or e-mail.")), Length(max=254)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
