"""What the API says about rolls: versions, workers (wages as decimal strings), problems."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, validate

from fund.api.pagination import page_of
from fund.auth.access import acting_user
from fund.disbursements.schemas import UtcDateTime
from imports.records import LANGUAGES
from ledger.money import from_minor

#: Roles that see national IDs in full; others see the last four digits only.
SEES_NATIONAL_IDS = frozenset({"admin", "officer", "auditor"})


def masked(national_id: str) -> str:
    """``"•••••••••6789"``: enough to tell workers apart, not enough to misuse."""
    return "•" * max(0, len(national_id) - 4) + national_id[-4:]


class RollOut(Schema):
    """A roll version of a factory."""

    id = fields.Integer(required=True)
    factory = fields.String(required=True, attribute="factory.code")
    version = fields.Integer(required=True)
    as_of = fields.Date(required=True)
    source_filename = fields.String(required=True)
    sha256 = fields.String(required=True)
    imported_by = fields.String(
        allow_none=True, required=True, attribute="imported_by.username", dump_default=None
    )
    imported_at = UtcDateTime(required=True)
    rows_read = fields.Integer(required=True)
    worker_count = fields.Integer(required=True)
    warning_count = fields.Integer(required=True)


class Taka(fields.String):
    """An amount in poisha written as BDT in a decimal string (``"12500.00"``); null stays null."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(from_minor(value, "BDT"))


class NationalId(fields.String):
    """A national ID in full for a role that sees them, else masked: the rule in one place."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        user = acting_user()
        return value if user is not None and user.role in SEES_NATIONAL_IDS else masked(value)


class RollWorkerOut(Schema):
    """A worker on a roll; wages are monthly BDT as decimal strings."""

    row = fields.Integer(required=True)
    worker_id = fields.String(required=True)
    name = fields.String(required=True)
    national_id = NationalId(required=True)
    section = fields.String(allow_none=True, required=True)
    grade = fields.String(allow_none=True, required=True)
    designation = fields.String(allow_none=True, required=True)
    join_date = fields.Date(required=True)
    exit_date = fields.Date(allow_none=True, required=True)
    basic = Taka(required=True)
    house_rent = Taka(required=True)
    medical = Taka(required=True)
    transport = Taka(required=True)
    food = Taka(required=True)
    gross = Taka(allow_none=True, required=True)
    payment_method = fields.String(allow_none=True, required=True)
    # Optional roll fields (null: the roll did not give them).
    routing_number = fields.String(allow_none=True, required=True)
    worker_class = fields.String(allow_none=True, required=True)
    arrears_due = Taka(allow_none=True, required=True)
    earned_leave_days = fields.Integer(allow_none=True, required=True)
    festival_bonus_due = Taka(allow_none=True, required=True)
    overtime_due = Taka(allow_none=True, required=True)
    language = fields.String(
        allow_none=True, required=True, validate=validate.OneOf(list(LANGUAGES))
    )


class ProblemOut(Schema):
    """One problem found in a roll file, located as the user sees the file."""

    row = fields.Integer(allow_none=True, required=True)
    column = fields.String(allow_none=True, required=True)
    severity = fields.String(required=True)
    code = fields.String(required=True)
    message = fields.String(required=True)


class RollCheckOut(Schema):
    """The result of checking a roll file (``fund rolls check --json`` has the same shape)."""

    rows = fields.Integer(required=True)
    accepted = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    problems = fields.List(fields.Nested(ProblemOut), required=True)


RollPage = page_of(RollOut, "RollPage")
RollWorkerPage = page_of(
    RollWorkerOut, "RollWorkerPage", roll=fields.Nested(RollOut, required=True)
)


class RollUploadIn(Schema):
    """A roll upload: the file and, beside it, the day it describes (multipart/form-data)."""

    class Meta:
        unknown = EXCLUDE

    file = Upload(
        required=True,
        validate=validate.Predicate("__bool__", error="send the roll as multipart field 'file'"),
    )
    as_of = fields.Date(required=True, metadata={"description": "the day the roll describes"})
    nobody_left = fields.Boolean(
        load_default=False,
        metadata={
            "description": "the roll has no exit-date column and the officer confirms nobody on"
            " it has left (audited); without it such a roll is refused (422 no_exit_date_column)"
        },
    )
