"""Upload and confirm forms for rolls (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField

# SelectChoice is WTForms 3.3 (tuple choices are deprecated); types-WTForms does not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length, Optional, Regexp

from fund.date_input import DisplayDateField
from imports import FIELD_LABELS


class UploadForm(FlaskForm):  # type: ignore[misc]
    """A roll file and the date it is the payroll of."""

    file = FileField(_l("Roll file (CSV or XLSX)"), validators=[FileRequired()])
    as_of = DisplayDateField(_l("Payroll as of"), validators=[DataRequired()])


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """Store the checked upload, named by its SHA-256, as the factory's next roll version."""

    sha256 = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    filename = HiddenField(validators=[DataRequired(), Length(max=255)])
    as_of = HiddenField(validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}-\d{2}$")])
    nobody_left = BooleanField(
        _l("This roll has no exit-date column: I confirm that nobody on it has left.")
    )
    # Rows the check read: above BACKGROUND_ROLL_ROWS the roll is stored by a background job.
    # It only chooses where the import runs (the job checks the file again), so it is trusted.
    rows = HiddenField(validators=[Optional(), Regexp(r"^\d{1,7}$")])


class DiscardForm(FlaskForm):  # type: ignore[misc]
    """Delete a checked upload that will not be stored."""

    sha256 = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])


class MappingForm(FlaskForm):  # type: ignore[misc]
    """Remember a header of this factory's files as one of the roll's fields."""

    header = StringField(_l("Header in the file"), validators=[DataRequired(), Length(max=200)])
    field = SelectField(
        _l("Means"),
        choices=[SelectChoice(name, label) for name, label in FIELD_LABELS.items()],
    )
    # Set when the mapping is made from a check page: the same upload is checked again.
    sha256 = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{64}$")])
    filename = HiddenField(validators=[Optional(), Length(max=255)])
    as_of = HiddenField(validators=[Optional(), Regexp(r"^\d{4}-\d{2}-\d{2}$")])
