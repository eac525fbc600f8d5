"""The accountant's close form and the administrator's reopen form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired, Length, Optional


class CloseForm(FlaskForm):  # type: ignore[misc]
    """Close the books through a month's last day."""

    through = DateField("Close through (a month's last day)", validators=[DataRequired()])
    confirm = BooleanField(
        "I confirm: entries dated on or before this day will be refused until an administrator "
        "reopens the month",
        validators=[DataRequired("Tick to confirm: closing stops every posting into the month.")],
    )


class ReopenForm(FlaskForm):  # type: ignore[misc]
    """Move the close back (empty date: open everything), with the reason."""

    through = DateField("Leave closed through", validators=[Optional()])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=200)])
