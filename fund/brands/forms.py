"""Forms for recording a brand's pledge and a payment received, and selling dollars."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from fund.date_input import DisplayDateField

# SelectChoice is WTForms 3.3 (tuple choices are deprecated); types-WTForms does not know it yet.
CURRENCY_CHOICES = [SelectChoice("USD", "USD"), SelectChoice("BDT", "BDT")]
NO_PLEDGE = SelectChoice("", "(none)")


class PledgeForm(FlaskForm):  # type: ignore[misc]
    """A pledge: the letter's reference, amount, currency, date and due date."""

    reference = StringField(_l("Pledge reference"), validators=[DataRequired(), Length(max=120)])
    amount = DecimalField(_l("Amount"), places=2, validators=[DataRequired(), NumberRange(min=0)])
    currency = SelectField(_l("Currency"), choices=CURRENCY_CHOICES)
    pledged_on = DisplayDateField(_l("Pledged on"), validators=[DataRequired()])
    due_date = DisplayDateField(_l("Due"), validators=[DataRequired()])


class ContributionForm(FlaskForm):  # type: ignore[misc]
    """A payment received: the bank's reference, value date, amount, and the pledge it pays."""

    bank_reference = StringField(_l("Bank reference"), validators=[DataRequired(), Length(max=120)])
    amount = DecimalField(_l("Amount"), places=2, validators=[DataRequired(), NumberRange(min=0)])
    currency = SelectField(_l("Currency"), choices=CURRENCY_CHOICES)
    value_date = DisplayDateField(_l("Value date"), validators=[DataRequired()])
    pledge = SelectField(_l("Pledge"), choices=[NO_PLEDGE], validators=[Optional()])


class ConversionForm(FlaskForm):  # type: ignore[misc]
    """US dollars sold for taka at the bank's rate."""

    reference = StringField(_l("Deal reference"), validators=[DataRequired(), Length(max=120)])
    amount = DecimalField(
        _l("USD amount"), places=2, validators=[DataRequired(), NumberRange(min=0)]
    )
    rate = DecimalField(_l("Rate (BDT per USD)"), places=None, validators=[DataRequired()])
    effective_date = DisplayDateField(_l("Date"), validators=[DataRequired()])
