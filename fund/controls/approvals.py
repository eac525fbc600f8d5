"""Approval thresholds and segregation of duties.

Bands of the batch total (payout currency, minor units) set how many distinct approvers a batch
needs: by default up to 1,000,000 BDT one, above it two (``APPROVAL_BANDS`` in the app config).
The number is fixed on the batch when it is submitted; the batch stays ``submitted`` until that
many different approvers, none of them the submitter, have approved, and only then is the
approval posted (``fund/disbursements/approving.py``).

Roles: each user holds exactly one role (one ``users.role`` column with a CHECK), so no user
can be officer and approver, or accountant and approver, at once — the data model refuses it.
What remains is a change of role between duties that conflict: refused while the user still
has open work in the old duty (``check_role_change``, used by the users page and the CLI).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.auth.roles import Role
from fund.controls.models import BatchApproval
from fund.disbursements.models import DisbursementBatch
from ledger.money import MoneyError, to_minor

#: (up to this total in minor units, inclusive — None: no limit; distinct approvers needed)
Band = tuple[int | None, int]
#: Bands are amounts of the payout currency (the batches' currency).
BAND_CURRENCY = "BDT"
DEFAULT_BANDS: tuple[Band, ...] = ((100_000_000, 1), (None, 2))
#: Duties one person must not hold together.
CONFLICTING_ROLES: tuple[frozenset[Role], ...] = (
    frozenset({Role.OFFICER, Role.APPROVER}),
    frozenset({Role.ACCOUNTANT, Role.APPROVER}),
)
#: Batches still open: an officer's or approver's work in them is not finished.
_OPEN = ("draft", "submitted", "approved")


class BandsInvalid(ValueError):
    """An approval policy that does not cover every amount with a positive number."""


class RolesConflict(Exception):
    """A role change that would join duties that must stay apart."""


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


def conflicting(roles: set[Role]) -> list[frozenset[Role]]:
    """The pairs of conflicting duties among ``roles``."""
    return [pair for pair in CONFLICTING_ROLES if pair <= roles]


def check_role_change(session: Session, *, user: User, new_role: Role) -> None:
    """Refuse moving a user between conflicting duties while work of the old one is open.

    An officer who prepared or submitted a batch still open would, as approver, approve their
    own work; an approver whose approved batch is still unpaid would, as accountant, pay it.
    """
    old = user.role_enum
    if old is new_role or not conflicting({old, new_role}):
        return
    if old is Role.OFFICER:
        open_work = session.scalars(
            select(DisbursementBatch.id).where(
                DisbursementBatch.state.in_(_OPEN),
                or_(
                    DisbursementBatch.created_by_id == user.id,
                    DisbursementBatch.submitted_by_id == user.id,
                ),
            )
        ).all()
        duty = "prepared or submitted"
    elif old is Role.APPROVER:
        open_work = session.scalars(
            select(DisbursementBatch.id)
            .join(BatchApproval, BatchApproval.batch_id == DisbursementBatch.id)
            .where(
                DisbursementBatch.state.in_(("submitted", "approved")),
                BatchApproval.approver_id == user.id,
            )
        ).all()
        duty = "approved"
    else:
        return  # accountant ↔ approver: the books and payouts are not one batch's open work
    if open_work:
        shown = ", ".join(str(i) for i in sorted(open_work)[:10])
        raise RolesConflict(
            f"{user.username} {duty} batch(es) {shown}, still open: as {new_role.value} they "
            f"would check their own work ({old.value} and {new_role.value} are kept apart). "
            "Finish or hand over those batches first."
        )
