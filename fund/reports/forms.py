"""The accountant's close form and the administrator's reopen form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional

from fund.date_input import DisplayDateField


class CloseForm(FlaskForm):  # type: ignore[misc]
    """Close the books through a month's last day."""

    through = DisplayDateField(
        _l("Close through (a month's last day)"), validators=[DataRequired()]
    )
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

    through = DisplayDateField(_l("Leave closed through"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
