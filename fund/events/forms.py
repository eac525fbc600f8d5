"""Officers' forms: record an event, change a suspension's end, compute entitlements."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from fund.date_input import DisplayDateField


class NewEventForm(FlaskForm):  # type: ignore[misc]
    """A suspension or closure of one factory, using its newest roll."""

    factory = SelectField(_l("Factory"), validators=[DataRequired()])
    # Plain values (label = value), the choices shape WTForms 3 takes without a warning.
    kind = SelectField(_l("Kind"), choices=["suspension", "closure"])  # type: ignore[list-item]
    start = DisplayDateField(_l("Start (closure: its date)"), validators=[DataRequired()])
    end = DisplayDateField(_l("End (leave empty while ongoing)"), validators=[Optional()])
    sections = StringField(
        _l("Affected sections, comma separated (partial suspension only)"),
        validators=[Optional(), Length(max=500)],
    )
    reference = StringField(
        _l("Inspection or panel reference"), validators=[DataRequired(), Length(max=200)]
    )
    policy = SelectField(_l("Policy"), validators=[DataRequired()])


class ChangeEndForm(FlaskForm):  # type: ignore[misc]
    """A suspension's new end date (empty: ongoing again) and why."""

    end = DisplayDateField(_l("New end (leave empty: ongoing)"), validators=[Optional()])
    reason = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=2000)])


class ComputeForm(FlaskForm):  # type: ignore[misc]
    """Compute the event's entitlements with a policy, through a day."""

    policy = SelectField(_l("Policy"), validators=[DataRequired()])
    through = DisplayDateField(_l("Through (needed while ongoing)"), validators=[Optional()])


class UseRollForm(FlaskForm):  # type: ignore[misc]
    """Which roll version of the event's factory its entitlements are computed from."""

    version = SelectField(_l("Roll version"), validators=[DataRequired()])
