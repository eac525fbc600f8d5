"""What the API says about a brand."""

from __future__ import annotations

from marshmallow import Schema, fields


class BrandOut(Schema):
    """A member brand."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    country = fields.String(required=True)
