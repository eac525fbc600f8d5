"""The batch page's forms: each carries CSRF; irreversible steps need a ticked confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from fund.date_input import DisplayDateField

#: The browser holds a form until its box is ticked, so nothing typed is lost to a round trip;
#: the views still check the tick for every other client.
CONFIRM_IN_BROWSER = {"required": True}


class CreateBatchForm(FlaskForm):  # type: ignore[misc]
    """A new draft batch: everyone not yet paid, some workers, or a top-up."""

    workers = TextAreaField(
        _l("Only these worker IDs (comma or line separated; empty: everyone not yet paid)"),
        validators=[Optional(), Length(max=200_000)],
    )
    top_up = BooleanField(_l("Top-up after a recomputation: pay only the difference"))


class StepForm(FlaskForm):  # type: ignore[misc]
    """Submit, approve or pay; approve and pay move money, so they are confirmed."""

    on = DisplayDateField(_l("Effective date (default today)"), validators=[Optional()])
    confirm = BooleanField(
        _l("I have checked the batch and confirm this step"), render_kw=CONFIRM_IN_BROWSER
    )


class ReasonForm(FlaskForm):  # type: ignore[misc]
    """Reject or cancel, saying why."""

    reason = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=500)])
    on = DisplayDateField(
        _l("Effective date of a reversal (default today)"), validators=[Optional()]
    )
    confirm = BooleanField(_l("I confirm: this cannot be undone"), render_kw=CONFIRM_IN_BROWSER)


class ReconcileForm(FlaskForm):  # type: ignore[misc]
    """The provider's result file."""

    file = FileField(_l("Provider's result file (CSV)"), validators=[FileRequired()])


class LineForm(FlaskForm):  # type: ignore[misc]
    """Settle or reissue one payment line."""

    action = SelectField(
        _l("Mark"),
        choices=["paid", "failed", "unclaimed", "reissue"],  # type: ignore[list-item]
    )
    reason = StringField(_l("Why it failed"), validators=[Optional(), Length(max=200)])
    method = SelectField(
        _l("Reissue by"),
        choices=["", "mobile", "bank", "cash"],  # type: ignore[list-item]
        validators=[Optional()],
    )
    # Checked by the roll import's parser in the service (digits of any script folded).
    wallet = StringField(_l("New wallet"), validators=[Optional(), Length(max=40)])
    bank_account = StringField(_l("New bank account"), validators=[Optional(), Length(max=50)])
    confirm = BooleanField(_l("I confirm this payment's new state"), render_kw=CONFIRM_IN_BROWSER)


class PayeeDecisionForm(FlaskForm):  # type: ignore[misc]
    """Approve or reject a payee change (never your own request)."""

    decision = SelectField(
        _l("Decision"),
        choices=["approve", "reject"],  # type: ignore[list-item]
    )
    note = StringField(_l("Why (a rejection)"), validators=[Optional(), Length(max=500)])


class ExpireForm(FlaskForm):  # type: ignore[misc]
    """Move failed lines nobody reissued within the period to unclaimed payouts."""

    after_days = IntegerField(
        _l("Failed at least this many days ago"), validators=[DataRequired(), NumberRange(0, 3650)]
    )
    confirm = BooleanField(
        _l("I confirm: these payments move to unclaimed payouts (2100)"),
        render_kw=CONFIRM_IN_BROWSER,
    )


class FloatForm(FlaskForm):  # type: ignore[misc]
    """Taka from the bank to the mobile-money float, before mobile lines are paid."""

    amount = DecimalField(_l("Amount (BDT)"), places=None, validators=[DataRequired()])
    confirm = BooleanField(_l("I confirm this transfer"), render_kw=CONFIRM_IN_BROWSER)
