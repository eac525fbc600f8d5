"""Officers' forms: record an event, change a suspension's end, compute entitlements."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class NewEventForm(FlaskForm):  # type: ignore[misc]
    """A suspension or closure of one factory, using its newest roll."""

    factory = SelectField("Factory", validators=[DataRequired()])
    # Plain values (label = value), the choices shape WTForms 3 takes without a warning.
    kind = SelectField("Kind", choices=["suspension", "closure"])  # type: ignore[list-item]
    start = DateField("Start (closure: its date)", validators=[DataRequired()])
    end = DateField("End (leave empty while ongoing)", validators=[Optional()])
    sections = StringField(
        "Affected sections, comma separated (partial suspension only)",
        validators=[Optional(), Length(max=500)],
    )
    reference = StringField(
        "Inspection or panel reference", validators=[DataRequired(), Length(max=200)]
    )
    policy = SelectField("Policy", validators=[DataRequired()])


class ChangeEndForm(FlaskForm):  # type: ignore[misc]
    """A suspension's new end date (empty: ongoing again) and why."""

    end = DateField("New end (leave empty: ongoing)", validators=[Optional()])
    reason = TextAreaField("Why", validators=[DataRequired(), Length(max=2000)])


class ComputeForm(FlaskForm):  # type: ignore[misc]
    """Compute the event's entitlements with a policy, through a day."""

    policy = SelectField("Policy", validators=[DataRequired()])
    through = DateField("Through (needed while ongoing)", validators=[Optional()])


class UseRollForm(FlaskForm):  # type: ignore[misc]
    """Which roll version of the event's factory its entitlements are computed from."""

    version = SelectField("Roll version", validators=[DataRequired()])
