"""What the claim endpoints send and accept (marshmallow); amounts are decimal text."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, post_dump, validate

from fund.api.fields import text
from fund.api.pagination import PageArgs, page_of
from fund.claims.models import CLAIM_KINDS, CLAIM_STATUSES, LANGUAGES, RAISED_BY
from fund.disbursements.schemas import UtcDateTime
from ledger.money import from_minor

_TAKA = validate.Regexp(r"^[0-9]{1,9}([.][0-9]{1,2})?$", error="an amount like 6700.00 (taka)")


def _taka(*, required: bool = False) -> fields.String:
    """Monthly taka as decimal text (``"6700.00"``), never a float."""
    metadata = {"format": "decimal", "example": "6700.00"}
    if required:
        return fields.String(required=True, validate=_TAKA, metadata=metadata)
    return fields.String(load_default=None, validate=_TAKA, metadata=metadata)


class ClaimAttachmentOut(Schema):
    """A file kept with a claim (fetch it from the web page; never by path)."""

    id = fields.Integer(required=True)
    original_name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_by = fields.Function(lambda a: a.uploaded_by.username, required=True)
    uploaded_at = UtcDateTime(required=True)


class ClaimOut(Schema):
    """A claim: the worker as they described themselves, and where it stands."""

    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    event_id = fields.Integer(required=True)
    factory = fields.Function(lambda c: c.factory.code, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CLAIM_KINDS))
    status = fields.String(required=True, validate=validate.OneOf(CLAIM_STATUSES))
    raised_by = fields.String(required=True, validate=validate.OneOf(RAISED_BY))
    raised_by_name = fields.String(required=True)
    worker_name = fields.String(required=True)
    national_id = fields.String(required=True)
    phone = fields.String(required=True)
    section = fields.String(required=True)
    description = fields.String(required=True)
    filed_by = fields.Function(lambda c: c.filed_by.username, required=True)
    filed_at = UtcDateTime(required=True)
    due_on = fields.Date(required=True)
    decided_by = fields.Function(
        lambda c: c.decided_by.username if c.decided_by else None,
        required=True,
        allow_none=True,
    )
    decided_at = UtcDateTime(required=True, allow_none=True)
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    late = fields.Boolean(required=True, metadata={"description": "filed after the window"})
    reopened_from_id = fields.Integer(required=True, allow_none=True)
    referral_outcome = fields.String(
        required=True, metadata={"description": "upheld, not_upheld, withdrawn; '' while waiting"}
    )
    decision_note = fields.String(required=True)
    referred_to = fields.String(required=True)
    worker_id = fields.String(required=True, allow_none=True)
    roll_id = fields.Integer(required=True, allow_none=True)
    run_id = fields.Integer(required=True, allow_none=True)
    batch_id = fields.Integer(required=True, allow_none=True)
    amount = fields.String(
        required=True, allow_none=True, metadata={"format": "decimal", "example": "25000.00"}
    )
    attachments = fields.List(fields.Nested(ClaimAttachmentOut), required=True)

    @post_dump(pass_original=True)
    def money(self, data: dict[str, Any], claim: Any, **_: Any) -> dict[str, Any]:
        minor = claim.amount_minor
        data["amount"] = None if minor is None else str(from_minor(minor, "BDT"))
        return data


#: A page of claims, newest first.
ClaimPage = page_of(ClaimOut, "ClaimPage")


class PaymentSeenOut(Schema):
    """A payment line of the event for a candidate."""

    batch_id = fields.Integer(required=True)
    receipt_number = fields.String(required=True)
    state = fields.String(required=True)
    amount = fields.Function(lambda p: str(from_minor(p.amount_minor, "BDT")), required=True)


class ClaimCandidateOut(Schema):
    """A worker the claimant may be, and why (national IDs masked)."""

    worker_id = fields.String(required=True)
    name = fields.String(required=True)
    national_id_masked = fields.String(required=True)
    section = fields.String(required=True, allow_none=True)
    on_roll = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), required=True)
    score = fields.Integer(required=True)
    payments = fields.List(fields.Nested(PaymentSeenOut), required=True)


class ClaimCandidateListOut(Schema):
    """The workers the claimant may be, best first."""

    items = fields.List(fields.Nested(ClaimCandidateOut), required=True)


class ClaimMessageOut(Schema):
    """The claim's state as an SMS, with its encoding and parts as carriers count them."""

    reference = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(CLAIM_STATUSES))
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    text = fields.String(required=True)
    length = fields.Integer(required=True)
    encoding = fields.String(required=True, validate=validate.OneOf(("GSM-7", "UCS-2")))
    parts = fields.Integer(required=True)


class ClaimReportOut(Schema):
    """Claims by factory, kind, status and age, and the share decided by the deadline."""

    total = fields.Integer(required=True)
    by_factory = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        required=True,
    )
    by_kind = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        required=True,
    )
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    open_by_age = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    decided = fields.Integer(required=True)
    decided_in_time = fields.Integer(required=True)
    share_in_time = fields.Function(
        lambda r: None if r.share_in_time is None else f"{r.share_in_time:.4f}",
        required=True,
        allow_none=True,
        metadata={"type": "string", "description": "a fraction as decimal text, e.g. 0.8750"},
    )
    overdue = fields.Integer(required=True)
    deadlines = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    referrals = fields.Function(
        lambda r: {(outcome or "waiting"): n for outcome, n in r.referrals.items()},
        required=True,
        metadata={
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "description": "referrals by outcome (upheld, not_upheld, withdrawn) and waiting",
        },
    )
    late_filed = fields.Integer(required=True)


class ClaimListArgs(PageArgs):
    """Which claims to list: by status or kind, or only those open past their deadline."""

    status = fields.String(validate=validate.OneOf(CLAIM_STATUSES))
    kind = fields.String(validate=validate.OneOf(CLAIM_KINDS))
    overdue = fields.Boolean(
        load_default=False, metadata={"description": "only open claims past their deadline"}
    )


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class ClaimFileIn(Schema):
    """A photo or scan for a claim, sent as the multipart field ``file``."""

    file = Upload(required=True, metadata={"description": "a JPEG, PNG or PDF, at most 5 MB"})


class ClaimIn(_In):
    """A new claim, with the worker's details as they gave them."""

    event_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    kind = fields.String(required=True, validate=validate.OneOf(CLAIM_KINDS))
    raised_by = fields.String(required=True, validate=validate.OneOf(RAISED_BY))
    raised_by_name = text(200, load_default="")
    worker_name = text(200, blank=False, required=True)
    national_id = text(40, blank=False, required=True)
    phone = text(20, load_default="")
    section = text(100, load_default="")
    description = text(5000, load_default="")
    language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))


class RollLineIn(_In):
    """The worker's roll line as the factory confirmed it (monthly wages in taka)."""

    worker_id = text(50, blank=False, required=True)
    name = text(200, blank=False, required=True)
    national_id = text(40, blank=False, required=True)
    join_date = fields.Date(required=True)
    basic = _taka(required=True)
    house_rent = _taka()
    medical = _taka()
    transport = _taka()
    food = _taka()
    section = text(100, load_default=None)
    payment_method = fields.String(
        load_default=None, validate=validate.OneOf(["mobile", "bank", "cash"])
    )
    wallet_number = text(11, load_default=None)
    bank_account = text(50, load_default=None)


class AcceptClaimIn(_In):
    """Accept: a roll line to add or correct, or the roll's worker ID; and whether to pay."""

    note = text(2000, load_default="")
    worker_id = text(50, blank=False, load_default=None)
    worker = fields.Nested(RollLineIn, load_default=None)
    pay = fields.Boolean(load_default=True)


class RejectClaimIn(_In):
    """Why the claim is not accepted (the worker is told)."""

    reason = text(1000, blank=False, required=True)


class ReferClaimIn(_In):
    """To whom the claim is passed, and a note for the worker."""

    referred_to = text(200, blank=False, required=True)
    note = text(1000, load_default="")
