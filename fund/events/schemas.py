"""What the event endpoints send and accept (marshmallow)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from fund.api.fields import text
from fund.api.pagination import PageArgs
from fund.disbursements.schemas import UtcDateTime
from fund.entitlements.schemas import EntitlementRunOut

KINDS = ("suspension", "closure")


class ExtensionOut(Schema):
    """One change of a suspension's end date."""

    previous_end = fields.Date(required=True, allow_none=True)
    new_end = fields.Date(required=True, allow_none=True)
    reason = fields.String(required=True)
    reference = fields.String(required=True)
    recorded_by = fields.Function(
        lambda x: x.recorded_by.username if x.recorded_by else None,
        required=True,
        allow_none=True,
    )
    recorded_at = UtcDateTime(required=True)


class EventOut(Schema):
    """A suspension or closure of one factory."""

    id = fields.Integer(required=True)
    factory = fields.Function(lambda e: e.factory.code, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    scope = fields.String(required=True, validate=validate.OneOf(["full", "partial"]))
    sections = fields.List(fields.String(), required=True, allow_none=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True, allow_none=True)
    ongoing = fields.Boolean(required=True)
    title = fields.String(required=True)
    reference = fields.String(required=True)
    roll_id = fields.Integer(required=True, allow_none=True)
    policy_name = fields.String(required=True, allow_none=True)
    created_by = fields.Function(
        lambda e: e.created_by.username if e.created_by else None,
        required=True,
        allow_none=True,
    )
    created_at = UtcDateTime(required=True)


class EventDetailOut(EventOut):
    """An event with the history of its end date and its latest computation (if any)."""

    extensions = fields.List(fields.Nested(ExtensionOut), required=True)
    latest_run = fields.Nested(EntitlementRunOut, required=True, allow_none=True)


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class EventQuery(PageArgs):
    """The event list's page and filters."""

    factory = text(50)
    kind = fields.String(validate=validate.OneOf(KINDS))


class EventIn(_In):
    """A suspension (sections: a partial one) or a closure, as the officer's web form has it."""

    factory = text(50, blank=False, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    start = fields.Date(required=True, metadata={"description": "a closure's date"})
    end = fields.Date(load_default=None, allow_none=True, metadata={"description": "none: ongoing"})
    sections = fields.List(
        text(100, blank=False),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "partial suspension: the affected sections (closures: ignored)"},
    )
    reference = text(200, blank=False, required=True)
    policy = text(100, blank=False, required=True)


class ChangeEndIn(_In):
    """A suspension's new end (null or absent: ongoing again) and why."""

    end = fields.Date(load_default=None, allow_none=True)
    reason = text(2000, blank=False, required=True)


class UseRollIn(_In):
    """The roll version of the event's factory to compute from (absent: the newest)."""

    version = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1)
    )


class ComputeIn(_In):
    """The policy (default: the event's) and the day to compute through (needed while ongoing)."""

    policy = text(100, blank=False, load_default=None, allow_none=True)
    through = fields.Date(load_default=None, allow_none=True)
