"""What the API says about a brand, its pledges, payments and statement (amounts as text)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from fund.api.fields import text


def amount_field() -> fields.Decimal:
    """An exact amount in major units, sent as decimal text (``"12500.00"``), never a float."""
    return fields.Decimal(
        required=True,
        as_string=True,
        metadata={"type": "string", "format": "decimal", "example": "12500.00"},
    )


#: A brand amount as a client writes it: digits, at most two decimals, at most the maximum of
#: 1,000,000,000.00 (fund/money_limits.py, PLEDGE and CONTRIBUTION), so the document states
#: exactly what is taken (``""``, ``"1e3"``, ``"-5"`` and ``12`` as a number are refused).
AMOUNT_IN_PATTERN = r"^(1000000000([.]00?)?|[0-9]{1,9}([.][0-9]{1,2})?)$"


class _AmountText(fields.Decimal):
    """``fields.Decimal`` that first holds the raw value to ``AMOUNT_IN_PATTERN``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or re.fullmatch(AMOUNT_IN_PATTERN, value) is None:
            raise ValidationError(
                "an amount like 12500.00: digits, at most two decimals, at most the maximum"
                " of 1000000000.00"
            )
        return super()._deserialize(value, attr, data, **kwargs)


def amount_in() -> fields.Decimal:
    """An amount a client sends (pledge, instalment, contribution), as exact decimal text."""
    return _AmountText(
        required=True,
        as_string=True,
        metadata={
            "type": "string",
            "format": "decimal",
            "example": "12500.00",
            "pattern": AMOUNT_IN_PATTERN,
        },
    )


class BrandOut(Schema):
    """A member brand."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    country = fields.String(required=True)


class InstalmentIn(Schema):
    """One dated part of a pledge."""

    due_date = fields.Date(required=True)
    amount = amount_in()


class PledgeIn(Schema):
    """A pledge to record; the reference is its natural key (a retry repeats it)."""

    reference = text(120, blank=False, required=True)
    amount = amount_in()
    currency = fields.String(required=True, validate=validate.OneOf(["USD", "BDT"]))
    pledged_on = fields.Date(required=True)
    due_date = fields.Date(required=True)
    instalments = fields.List(fields.Nested(InstalmentIn), load_default=None)


class PledgeOut(Schema):
    """A recorded pledge and the ledger entry it posted."""

    id = fields.Integer(required=True)
    brand = fields.String(required=True)
    reference = fields.String(required=True)
    amount = amount_field()
    currency = fields.String(required=True)
    pledged_on = fields.Date(required=True)
    due_date = fields.Date(required=True)
    entry_id = fields.Integer(required=True, allow_none=True)


class ContributionIn(Schema):
    """A payment received; the bank reference is its natural key."""

    bank_reference = text(120, blank=False, required=True)
    amount = amount_in()
    currency = fields.String(required=True, validate=validate.OneOf(["USD", "BDT"]))
    value_date = fields.Date(required=True)
    pledge_reference = text(120, load_default=None)


class ContributionOut(Schema):
    """A recorded payment and the ledger entry it posted."""

    id = fields.Integer(required=True)
    brand = fields.String(required=True)
    bank_reference = fields.String(required=True)
    amount = amount_field()
    currency = fields.String(required=True)
    value_date = fields.Date(required=True)
    pledge_reference = fields.String(required=True, allow_none=True)
    entry_id = fields.Integer(required=True, allow_none=True)


class PositionOut(Schema):
    """A brand's totals in one currency."""

    currency = fields.String(required=True)
    pledged = amount_field()
    received = amount_field()
    outstanding = amount_field()
    overdue = amount_field()


class PledgeLineOut(Schema):
    """A pledge on a statement."""

    reference = fields.String(required=True)
    currency = fields.String(required=True)
    amount = amount_field()
    pledged_on = fields.Date(required=True)
    due_date = fields.Date(required=True)
    received = amount_field()
    outstanding = amount_field()
    overdue = amount_field()


class ContributionLineOut(Schema):
    """A payment on a statement."""

    value_date = fields.Date(required=True)
    bank_reference = fields.String(required=True)
    currency = fields.String(required=True)
    amount = amount_field()
    pledge_reference = fields.String(required=True, allow_none=True)


class FundUseOut(Schema):
    """The fund's spending on one factory's event (BDT): sums only."""

    factory = fields.String(required=True)
    event = fields.String(required=True)
    compensation = amount_field()
    paid = amount_field()


class PeriodArgs(Schema):
    """``?from=`` and ``?to=``: ISO dates, each optional; given empty or not a date is a 422."""

    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")


class BrandStatementOut(Schema):
    """A brand's statement for a period."""

    brand = fields.String(required=True)
    name = fields.String(required=True)
    start = fields.Date(required=True, allow_none=True)
    end = fields.Date(required=True)
    positions = fields.List(fields.Nested(PositionOut), required=True)
    pledges = fields.List(fields.Nested(PledgeLineOut), required=True)
    contributions = fields.List(fields.Nested(ContributionLineOut), required=True)
    fund_use = fields.List(fields.Nested(FundUseOut), required=True)
