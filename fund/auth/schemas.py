"""What the API says about a user, and the step-up token exchange."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from fund.api.fields import text
from fund.auth.roles import Role


class UserOut(Schema):
    """A user as the API shows it: never the password hash."""

    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf([role.value for role in Role]))
    # A typed field (not a Function), so the OpenAPI document says what "brand" holds.
    brand = fields.String(attribute="brand.code", allow_none=True, dump_default=None)


class StepUpIn(Schema):
    """A second-factor code, traded for a short-lived step-up token."""

    code = text(20, blank=False, required=True)


class StepUpOut(Schema):
    """A step-up token: shown once, good for approve, pay and role changes until it expires."""

    token = fields.String(required=True)
    scope = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
