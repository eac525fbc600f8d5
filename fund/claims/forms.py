"""The claim pages' forms: filing, an attachment, and the three decisions (each with CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from fund.date_input import DisplayDateField
from fund.disbursements.forms import CONFIRM_IN_BROWSER

KIND_CHOICES = [
    SelectChoice("not_on_roll", _l("Not on the roll (missing from the factory's list)")),
    SelectChoice("wrong_amount", _l("Wrong amount")),
    SelectChoice("not_received", _l("Money not received")),
    SelectChoice("other", _l("Something else")),
]
LANGUAGE_CHOICES = [
    SelectChoice("en", _l("English")),
    SelectChoice("bn", _l("Bengali (বাংলা)")),
]
RAISED_BY_CHOICES = [
    SelectChoice("helpline", _l("Helpline call")),
    SelectChoice("worker", _l("The worker in person")),
    SelectChoice("union", _l("A union for the worker")),
]


class ClaimForm(FlaskForm):  # type: ignore[misc]
    """A worker's claim, with the worker's details as they gave them."""

    event = SelectField(_l("Event (factory and suspension or closure)"), coerce=int)
    kind = SelectField(_l("What is wrong"), choices=KIND_CHOICES)
    raised_by = SelectField(_l("Raised by"), choices=RAISED_BY_CHOICES)
    raised_by_name = StringField(
        _l("Union or operator name (optional)"), validators=[Optional(), Length(max=200)]
    )
    worker_name = StringField(
        _l("Worker's name, as they give it (Bengali or Latin)"),
        validators=[DataRequired(), Length(max=200)],
    )
    national_id = StringField(
        _l("National ID (10, 13 or 17 digits)"), validators=[DataRequired(), Length(max=40)]
    )
    phone = StringField(_l("Mobile number (optional)"), validators=[Optional(), Length(max=20)])
    section = StringField(
        _l("Section or line (optional)"), validators=[Optional(), Length(max=100)]
    )
    description = TextAreaField(
        _l("What the worker says"), validators=[Optional(), Length(max=5000)]
    )
    language = SelectField(
        _l("Worker's language for letters and SMS"), choices=LANGUAGE_CHOICES, default="en"
    )
    file = FileField(_l("Photo of the ID card or pay slip (JPEG, PNG or PDF, optional)"))


class AttachmentForm(FlaskForm):  # type: ignore[misc]
    """One more file for a claim."""

    file = FileField(
        _l("Photo of the ID card or pay slip (JPEG, PNG or PDF)"), validators=[FileRequired()]
    )


class AcceptForm(FlaskForm):  # type: ignore[misc]
    """Accept: optionally the worker's roll line as the factory confirmed it, then pay."""

    note = TextAreaField(
        _l("What was checked (for the record; never sent to the worker)"),
        validators=[Optional(), Length(max=2000)],
    )
    worker_id = StringField(
        _l("Worker ID on the roll (a candidate's, or the new worker's)"),
        validators=[Optional(), Length(max=50)],
    )
    with_roll_line = BooleanField(
        _l("Add the worker to the roll, or correct their line, with the details below")
    )
    name = StringField(_l("Name as on the roll"), validators=[Optional(), Length(max=200)])
    national_id = StringField(
        _l("National ID on the roll"), validators=[Optional(), Length(max=40)]
    )
    section = StringField(_l("Section"), validators=[Optional(), Length(max=100)])
    join_date = DisplayDateField(_l("Joined on"), validators=[Optional()])
    basic = DecimalField(
        _l("Basic (BDT a month)"), places=2, validators=[Optional(), NumberRange(0)]
    )
    house_rent = DecimalField(
        _l("House rent (BDT a month)"), places=2, validators=[Optional(), NumberRange(0)]
    )
    medical = DecimalField(
        _l("Medical (BDT a month)"), places=2, validators=[Optional(), NumberRange(0)]
    )
    transport = DecimalField(
        _l("Transport (BDT a month)"), places=2, validators=[Optional(), NumberRange(0)]
    )
    food = DecimalField(_l("Food (BDT a month)"), places=2, validators=[Optional(), NumberRange(0)])
    payment_method = SelectField(
        _l("Paid by"),
        choices=[
            SelectChoice("", _l("cash (no wallet or account)")),
            SelectChoice("mobile", _l("mobile money")),
            SelectChoice("bank", _l("bank")),
        ],
        validators=[Optional()],
    )
    wallet_number = StringField(_l("Mobile wallet (01…)"), validators=[Optional(), Length(max=11)])
    bank_account = StringField(_l("Bank account"), validators=[Optional(), Length(max=50)])
    pay = BooleanField(
        _l("Compute the event again and put the worker's difference in a top-up batch"),
        default=True,
    )
    confirm = BooleanField(_l("I confirm: the claim is accepted"), render_kw=CONFIRM_IN_BROWSER)


class RejectForm(FlaskForm):  # type: ignore[misc]
    """Reject, with the reason the worker will be told."""

    reason = TextAreaField(
        _l("Reason (the worker is told this)"), validators=[DataRequired(), Length(max=1000)]
    )
    confirm = BooleanField(_l("I confirm: the claim is not accepted"), render_kw=CONFIRM_IN_BROWSER)


class ReferForm(FlaskForm):  # type: ignore[misc]
    """Refer to someone else."""

    referred_to = StringField(_l("Referred to"), validators=[DataRequired(), Length(max=200)])
    note = TextAreaField(_l("Note for the worker"), validators=[Optional(), Length(max=1000)])


class CallForm(FlaskForm):  # type: ignore[misc]
    """One call to the helpline, claim or not: a phone number is enough."""

    caller_name = StringField(_l("Caller's name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Mobile number"), validators=[Optional(), Length(max=20)])
    national_id = StringField(
        _l("National ID, if the caller has it"), validators=[Optional(), Length(max=40)]
    )
    factory = SelectField(_l("Factory (if known)"), coerce=int, choices=[])
    question = TextAreaField(_l("What was asked"), validators=[DataRequired(), Length(max=5000)])
    answer = TextAreaField(_l("Answer given"), validators=[DataRequired(), Length(max=5000)])
    language = SelectField(_l("Caller's language"), choices=LANGUAGE_CHOICES, default="bn")
    callback_on = DisplayDateField(_l("Call back on (optional)"), validators=[Optional()])


class CallToClaimForm(FlaskForm):  # type: ignore[misc]
    """The caller's national ID is found: file the claim the call was about."""

    event = SelectField(_l("Event"), coerce=int, choices=[])
    kind = SelectField(_l("What is wrong"), choices=KIND_CHOICES)
    national_id = StringField(
        _l("National ID (10, 13 or 17 digits)"), validators=[DataRequired(), Length(max=40)]
    )


class NoteForm(FlaskForm):  # type: ignore[misc]
    """A case note (internal)."""

    body = TextAreaField(
        _l("Case note (internal: never on a letter or SMS)"),
        validators=[DataRequired(), Length(max=5000)],
    )


class CallbackForm(FlaskForm):  # type: ignore[misc]
    """Who calls back and when."""

    on = DisplayDateField(_l("Call back on"), validators=[Optional()])
    owner = SelectField(_l("Who calls back"), coerce=int, choices=[])


class ReferralOutcomeForm(FlaskForm):  # type: ignore[misc]
    """The referral came back."""

    outcome = SelectField(
        _l("Outcome"),
        choices=[
            SelectChoice("upheld", _l("upheld")),
            SelectChoice("not_upheld", _l("not upheld")),
            SelectChoice("withdrawn", _l("withdrawn")),
        ],
    )
    note = TextAreaField(_l("Note for the worker"), validators=[Optional(), Length(max=1000)])


class ReopenForm(FlaskForm):  # type: ignore[misc]
    """Reopen a rejected claim or a referral that came back."""

    reason = TextAreaField(_l("Why it is reopened"), validators=[DataRequired(), Length(max=1000)])


class LinkForm(FlaskForm):  # type: ignore[misc]
    """Link the claim to the roll's worker it is about."""

    worker_id = StringField(
        _l("Worker ID on the roll"), validators=[DataRequired(), Length(max=50)]
    )


class SamePersonForm(FlaskForm):  # type: ignore[misc]
    """Two national IDs are one person's."""

    other_id = StringField(
        _l("The worker's other national ID"), validators=[DataRequired(), Length(max=40)]
    )
    evidence = TextAreaField(
        _l("What shows it is one person (both cards seen, …)"),
        validators=[DataRequired(), Length(max=1000)],
    )


class FilingWindowForm(FlaskForm):  # type: ignore[misc]
    """The event's own filing window."""

    days = DecimalField(
        _l("Days after the event ended that claims are on time"),
        places=0,
        validators=[DataRequired(), NumberRange(1, 3650)],
    )
