"""What the batch endpoints send and accept (marshmallow): amounts as decimal text, never floats."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_dump, validate, validates
from sqlalchemy.orm import object_session

from fund.api.fields import text
from fund.api.pagination import PageArgs
from fund.arguments import MAX_ID
from fund.brands.schemas import amount_field
from fund.disbursements.models import BATCH_STATES, LINE_STATES
from fund.disbursements.outputs import state_counts
from ledger.money import from_minor


class UtcDateTime(fields.DateTime):
    """An ISO 8601 moment with its offset; SQLite hands stored UTC times back without one."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def username(attribute: str, *, nullable: bool = False) -> fields.Function:
    """The username of the user at ``attribute`` (None where there is none), typed as text."""

    def read(obj: Any) -> str | None:
        user = getattr(obj, attribute)
        return None if user is None else str(user.username)

    return fields.Function(read, required=True, allow_none=nullable, metadata={"type": "string"})


class TransitionOut(Schema):
    """One step of a batch or a line: who, when, from, to, why."""

    line_id = fields.Integer(required=True, allow_none=True)
    from_state = fields.String(required=True, allow_none=True)
    to_state = fields.String(required=True)
    actor = username("actor")
    occurred_at = UtcDateTime(required=True)
    note = fields.String(required=True)


class BatchOut(Schema):
    """A disbursement batch and where it stands."""

    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    run_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["full", "top_up"]))
    state = fields.String(required=True, validate=validate.OneOf(BATCH_STATES))
    currency = fields.String(required=True)
    total = amount_field()
    line_count = fields.Integer(required=True)
    created_by = username("created_by")
    created_at = UtcDateTime(required=True)
    submitted_by = username("submitted_by", nullable=True)
    submitted_at = UtcDateTime(required=True, allow_none=True)
    approved_by = username("approved_by", nullable=True)
    approved_at = UtcDateTime(required=True, allow_none=True)
    approval_entry_id = fields.Integer(required=True, allow_none=True)
    approvals_required = fields.Integer(required=True)  # distinct approvers its amount needs
    paid_at = UtcDateTime(required=True, allow_none=True)
    payment_entry_id = fields.Integer(required=True, allow_none=True)
    closed_at = UtcDateTime(required=True, allow_none=True)
    close_reason = fields.String(required=True)

    @post_dump(pass_original=True)
    def money(self, data: dict[str, Any], batch: Any, **_: Any) -> dict[str, Any]:
        data["total"] = str(from_minor(batch.total_minor, batch.currency))
        return data


class BatchDetailOut(BatchOut):
    """A batch with its history and how many lines are in each state."""

    transitions = fields.List(fields.Nested(TransitionOut), required=True)
    line_states = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)

    @post_dump(pass_original=True)
    def count_lines(self, data: dict[str, Any], batch: Any, **_: Any) -> dict[str, Any]:
        # Counted by the database, not by loading every line of a large batch.
        session = object_session(batch)
        assert session is not None  # a batch being answered was read through a session
        data["line_states"] = state_counts(session, batch)
        return data


class PaymentLineOut(Schema):
    """One worker's payment in a batch (national ID masked)."""

    id = fields.Integer(required=True)
    receipt_number = fields.String(required=True)
    verification_code = fields.String(required=True)
    worker_id = fields.String(required=True)
    name = fields.String(required=True)
    national_id_masked = fields.String(required=True)
    method = fields.String(required=True, validate=validate.OneOf(["mobile", "bank", "cash"]))
    wallet_number = fields.String(required=True, allow_none=True)
    bank_account = fields.String(required=True, allow_none=True)
    amount = amount_field()
    state = fields.String(required=True, validate=validate.OneOf(LINE_STATES))
    provider_reference = fields.String(required=True, allow_none=True)
    failure_reason = fields.String(required=True, allow_none=True)
    settled_on = fields.Date(required=True, allow_none=True)
    reissue_of_id = fields.Integer(required=True, allow_none=True)

    @post_dump(pass_original=True)
    def money(self, data: dict[str, Any], line: Any, **_: Any) -> dict[str, Any]:
        data["amount"] = str(from_minor(line.amount_minor, line.batch.currency))
        return data


class ReconciliationOut(Schema):
    """What importing a result file did (``repeated``: the same file again, nothing changed)."""

    sha256 = fields.String(required=True)
    repeated = fields.Boolean(required=True)
    rows = fields.Integer(required=True)
    paid = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    mismatches = fields.List(fields.String(), required=True)


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class CreateBatchIn(_In):
    """Which workers (default: every eligible one not yet paid) and whether it is a top-up."""

    workers = fields.List(
        text(50, blank=False),
        validate=validate.Length(min=1, max=100_000),
        load_default=None,
    )
    top_up = fields.Boolean(load_default=False)


class OnIn(_In):
    """The posting's effective date (default: today)."""

    on = fields.Date(load_default=None)


class ReasonIn(OnIn):
    """Why (rejections, cancellations, failures)."""

    reason = text(500, blank=False, required=True)


class ReissueIn(OnIn):
    """Pay again, perhaps by another method or to another wallet or account."""

    method = fields.String(validate=validate.OneOf(["mobile", "bank", "cash"]), load_default=None)
    wallet_number = fields.String(
        validate=validate.Regexp(r"^01\d{9}$", error="an 11-digit number starting 01"),
        load_default=None,
    )
    bank_account = text(50, blank=False, load_default=None)


class LineActionIn(ReissueIn):
    """A line's settlement (paid, unclaimed, reissue): the payee fields are for ``reissue``."""


class PayeeChangeIn(_In):
    """Pay a failed line to other details: a request an approver other than you approves.

    The wallet or account is read by the roll import's parser (digits of any script folded).
    """

    method = fields.String(validate=validate.OneOf(["mobile", "bank", "cash"]), load_default=None)
    wallet_number = fields.String(validate=validate.Length(min=1, max=40), load_default=None)
    bank_account = fields.String(validate=validate.Length(min=1, max=50), load_default=None)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class PayeeChangeOut(Schema):
    """A payee change: what was asked, by whom, and who decided it."""

    id = fields.Integer(required=True)
    batch_id = fields.Integer(required=True)
    line_id = fields.Integer(required=True)
    state = fields.String(
        required=True, validate=validate.OneOf(["requested", "approved", "rejected"])
    )
    method = fields.String(required=True)
    wallet_number = fields.String(required=True, allow_none=True)
    bank_account = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    source = fields.String(required=True)
    requested_by = username("requested_by")
    decided_by = username("decided_by", nullable=True)
    new_line_id = fields.Integer(required=True, allow_none=True)


class ExpireIn(OnIn):
    """Failed lines not reissued within this many days go unclaimed (default: the config's)."""

    after_days = fields.Integer(validate=validate.Range(min=0, max=3650), load_default=None)


class FloatIn(OnIn):
    """Taka to move from the bank to the mobile-money float, as decimal text (``"500000.00"``)."""

    amount = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9]{1,10}([.][0-9]{1,2})?$",
            error="an amount like 500000.00 (taka), at most 9999999999.99",
        ),
        metadata={"format": "decimal", "example": "500000.00"},
    )


class FloatOut(Schema):
    """The journal entry that moved the money."""

    entry_id = fields.Integer(required=True)
    amount = fields.String(required=True)


class BatchArgs(PageArgs):
    """Which batches to list: one event's (default: every event's)."""

    event_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class PaymentFileArgs(Schema):
    """The provider's file layout (README: the formats)."""

    format = fields.String(validate=validate.OneOf(["mobile", "bank"]), load_default="mobile")


class ResultFileIn(Schema):
    """The provider's result file, uploaded as the multipart field ``file``."""

    file = Upload(required=True)

    @validates("file")
    def named(self, upload: Any, **_: Any) -> None:
        # A form's empty file input arrives as a part with no file name and nothing in it.
        if not getattr(upload, "filename", None):
            raise ValidationError("send the result file as field 'file'")
