"""Forms of the controls pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from fund.controls.models import OUTCOMES
from fund.controls.verification import DEFAULT_SAMPLE_SIZE


class AcknowledgeForm(FlaskForm):  # type: ignore[misc]
    """An officer acknowledges a roll finding, saying what was checked."""

    note = TextAreaField(_l("What was checked"), validators=[DataRequired(), Length(max=1000)])


class DrawForm(FlaskForm):  # type: ignore[misc]
    """Draw the batch's verification sample."""

    size = IntegerField(
        _l("Workers to call"),
        default=DEFAULT_SAMPLE_SIZE,
        validators=[Optional(), NumberRange(min=1, max=10_000)],
    )


class AnswerForm(FlaskForm):  # type: ignore[misc]
    """What a sampled worker said on the phone."""

    outcome = SelectField(
        _l("Answer"), choices=[SelectChoice(o, o.replace("_", " ")) for o in OUTCOMES]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])


class ReviewForm(FlaskForm):  # type: ignore[misc]
    """Compare a roll again (for rolls imported before the controls existed): CSRF only."""
