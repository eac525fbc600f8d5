"""The administrator's policy form: a new version from TOML text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class PolicyForm(FlaskForm):  # type: ignore[misc]
    """A policy document (TOML); the same text again changes nothing."""

    toml = TextAreaField(_l("Policy (TOML)"), validators=[DataRequired(), Length(max=20_000)])


class ResolveDuplicateForm(FlaskForm):  # type: ignore[misc]
    """Pay this worker once for the national ID they share with others."""

    note = TextAreaField(_l("How was it checked?"), validators=[DataRequired(), Length(max=2000)])
