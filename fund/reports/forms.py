"""The accountant's close form and the administrator's reopen form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired, Length, Optional


class CloseForm(FlaskForm):  # type: ignore[misc]
    """Close the books through a month's last day."""

    through = DateField(_l("Close through (a month's last day)"), validators=[DataRequired()])
    confirm = BooleanField(
        _l(
            "I confirm: entries dated on or before this day will be refused until an "
            "administrator reopens the month"
        ),
        validators=[
            DataRequired(_l("Tick to confirm: closing stops every posting into the month."))
        ],
    )


class ReopenForm(FlaskForm):  # type: ignore[misc]
    """Move the close back (empty date: open everything), with the reason."""

    through = DateField(_l("Leave closed through"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
