"""Approval thresholds: how many distinct approvers a batch needs.

Bands of the batch total (payout currency, minor units) set how many distinct approvers a batch
needs: by default up to 1,000,000 BDT one, above it two (``APPROVAL_BANDS`` in the app config).
The number is fixed on the batch when it is submitted; the batch stays ``submitted`` until that
many different approvers, none of them the submitter, have approved, and only then is the
approval posted (``fund/disbursements/approving.py``).

The other half of segregation of duties — which roles one person may not hold together, and
when a change of role between them is refused — sits beside the roles, in
``fund/auth/duties.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.controls.models import BatchApproval
from fund.disbursements.models import DisbursementBatch
from ledger.money import MoneyError, to_minor

#: (up to this total in minor units, inclusive — None: no limit; distinct approvers needed)
Band = tuple[int | None, int]
#: Bands are amounts of the payout currency (the batches' currency).
BAND_CURRENCY = "BDT"
DEFAULT_BANDS: tuple[Band, ...] = ((100_000_000, 1), (None, 2))


class BandsInvalid(ValueError):
    """An approval policy that does not cover every amount with a positive number."""


def check_bands(bands: Sequence[Band]) -> tuple[Band, ...]:
    """The bands if they rise, end without a limit and need at least one approver each."""
    if not bands:
        raise BandsInvalid("give at least one band")
    if bands[-1][0] is not None:
        raise BandsInvalid("the last band must have no upper limit")
    limits = [limit for limit, _ in bands[:-1] if limit is not None]
    if len(limits) != len(bands) - 1 or limits != sorted(limits):
        raise BandsInvalid("band limits must rise, and only the last has no limit")
    if any(needed < 1 for _, needed in bands):
        raise BandsInvalid("every band needs at least one approver")
    return tuple(bands)


def bands_from_text(text: str) -> tuple[Band, ...]:
    """Bands written as an operator would: ``"1000000:1,*:2"`` (taka up to which, approvers)."""
    bands: list[Band] = []
    for part in text.split(","):
        limit, colon, needed = part.strip().partition(":")
        if not colon or not needed.strip().isdecimal():
            raise BandsInvalid(f"{part.strip()!r} is not LIMIT:APPROVERS (e.g. 1000000:1 or *:2)")
        try:
            cap = None if limit.strip() == "*" else to_minor(limit.strip(), BAND_CURRENCY)
        except MoneyError as error:
            raise BandsInvalid(f"{limit.strip()!r} is not an amount in taka: {error}") from None
        bands.append((cap, int(needed)))
    return check_bands(bands)


def bands_from_config(config: Mapping[str, Any]) -> tuple[Band, ...]:
    """The app's ``APPROVAL_BANDS`` (a list of [limit or None, approvers]), else the default."""
    raw = config.get("APPROVAL_BANDS")
    if raw is None:
        return DEFAULT_BANDS
    return check_bands(
        [(None if limit is None else int(limit), int(needed)) for limit, needed in raw]
    )


def approvals_needed(total_minor: int, bands: Sequence[Band] = DEFAULT_BANDS) -> int:
    """How many distinct approvers a batch of this total needs."""
    for limit, needed in check_bands(bands):
        if limit is None or total_minor <= limit:
            return needed
    raise AssertionError("unreachable: the last band has no limit")  # pragma: no cover


def approvers(session: Session, batch_id: int) -> list[BatchApproval]:
    """Who has approved the batch so far, in order."""
    return list(
        session.scalars(
            select(BatchApproval)
            .where(BatchApproval.batch_id == batch_id)
            .order_by(BatchApproval.id)
        )
    )


def submitted_with_approvals(session: Session) -> list[tuple[DisbursementBatch, int]]:
    """Every batch waiting for approval, with how many distinct approvers it has so far."""
    rows = session.execute(
        select(DisbursementBatch, func.count(BatchApproval.id))
        .outerjoin(BatchApproval, BatchApproval.batch_id == DisbursementBatch.id)
        .where(DisbursementBatch.state == "submitted")
        .group_by(DisbursementBatch.id)
        .order_by(DisbursementBatch.id)
    ).all()
    return [(batch, given) for batch, given in rows]
