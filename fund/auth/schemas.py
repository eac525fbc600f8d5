"""What the API says about a user."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from fund.auth.roles import Role


class UserOut(Schema):
    """A user as the API shows it: never the password hash."""

    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf([role.value for role in Role]))
    # A typed field (not a Function), so the OpenAPI document says what "brand" holds.
    brand = fields.String(attribute="brand.code", allow_none=True, dump_default=None)
