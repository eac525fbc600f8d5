"""What the controls endpoints send and accept (marshmallow)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from fund.api.fields import text
from fund.controls.models import FOLLOW_UPS, OUTCOMES, SEVERITIES
from fund.disbursements.schemas import UtcDateTime


class FindingWorkerOut(Schema):
    """A worker a finding concerns, and why."""

    worker_id = fields.String(required=True)
    name = fields.String(required=True)
    detail = fields.String(required=True)


class FindingOut(Schema):
    """One roll finding and its acknowledgement."""

    id = fields.Integer(required=True)
    roll_id = fields.Integer(required=True)
    code = fields.String(required=True)
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    message = fields.String(required=True)
    workers = fields.List(fields.Nested(FindingWorkerOut), required=True)
    found_at = UtcDateTime(required=True)
    acknowledged_by = fields.Function(
        lambda f: f.acknowledged_by.username if f.acknowledged_by else None,
        required=True,
        allow_none=True,
    )
    acknowledged_at = UtcDateTime(required=True, allow_none=True)
    acknowledgement = fields.String(required=True)


class FindingListOut(Schema):
    """A roll's findings, most severe first."""

    roll_id = fields.Integer(required=True)
    findings = fields.List(fields.Nested(FindingOut), required=True)


class AcknowledgeIn(Schema):
    """The note an acknowledgement needs."""

    class Meta:
        unknown = EXCLUDE

    note = text(1000, blank=False, required=True)


class VerificationCallOut(Schema):
    """One sampled worker to call, and the answer."""

    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    line_id = fields.Integer(required=True)
    receipt_number = fields.Function(lambda c: c.line.receipt_number, required=True)
    worker_id = fields.Function(lambda c: c.line.worker_id, required=True)
    method = fields.String(required=True)
    outcome = fields.String(required=True, allow_none=True, validate=validate.OneOf(OUTCOMES))
    note = fields.String(required=True)
    follow_up = fields.String(required=True, allow_none=True, validate=validate.OneOf(FOLLOW_UPS))
    claim_reference = fields.String(required=True, allow_none=True)
    answered_at = UtcDateTime(required=True, allow_none=True)


class VerificationOut(Schema):
    """A batch's verification: the sample, the rate, the outcomes."""

    batch_id = fields.Integer(required=True)
    sampled = fields.Integer(required=True)
    answered = fields.Integer(required=True)
    # answered ÷ sampled as exact decimal text (4 places), null before a draw
    rate = fields.String(required=True, allow_none=True, validate=validate.Regexp(r"^[01]\.\d{4}$"))
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    calls = fields.List(fields.Nested(VerificationCallOut), required=True)


class DrawIn(Schema):
    """How many paid workers to sample."""

    class Meta:
        unknown = EXCLUDE

    size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=10_000))


class AnswerIn(Schema):
    """What the worker said."""

    class Meta:
        unknown = EXCLUDE

    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = text(500, load_default="")
