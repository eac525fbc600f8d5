"""The fund's cash against what it has promised: the one chart the home page keeps.

Cash is the ledger's bank and float balance; "approved, unpaid" is the entitlements payable
(2000) and unclaimed payouts (2100) liabilities; batches awaiting approval and drafts are their
totals; an ongoing suspension's next 30 days are estimated from its newest computation's daily
cost (total ÷ days covered), which is an estimate and labelled as one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.disbursements.models import DisbursementBatch
from fund.disbursements.services import CASH_ACCOUNTS, PAYOUT_CURRENCY
from fund.entitlements.models import EntitlementRun
from fund.events.models import Event
from fund.reports.charts import Chart
from ledger import account
from ledger.queries import balance, balances_by_dimension

#: The horizon of the ongoing-suspension estimate.
ESTIMATE_DAYS = 30


@dataclass(frozen=True, slots=True)
class Cover:
    """BDT minor units: what the fund holds and what it will need."""

    cash: int
    approved_unpaid: int
    awaiting_approval: int
    drafts: int
    ongoing_estimate: int

    @property
    def after_commitments(self) -> int:
        """Cash left once approved, awaiting and draft batches and the estimate are paid."""
        return (
            self.cash
            - self.approved_unpaid
            - self.awaiting_approval
            - self.drafts
            - self.ongoing_estimate
        )


def _batch_total(session: Session, state: str) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(DisbursementBatch.total_minor), 0)).where(
                DisbursementBatch.state == state,
                DisbursementBatch.currency == PAYOUT_CURRENCY,
            )
        )
        or 0
    )


def ongoing_estimate(session: Session, *, days: int = ESTIMATE_DAYS) -> int:
    """What ongoing suspensions will cost over the next ``days``, from their newest runs."""
    newest = select(func.max(EntitlementRun.id)).group_by(EntitlementRun.event_id)
    runs = session.scalars(
        select(EntitlementRun)
        .join(Event, Event.id == EntitlementRun.event_id)
        .where(
            EntitlementRun.id.in_(newest),
            Event.kind == "suspension",
            Event.end_date.is_(None),
            EntitlementRun.currency == PAYOUT_CURRENCY,
        )
    )
    # integer division: an estimate, rounded down once per event
    return sum(run.total_minor * days // run.days_covered for run in runs if run.days_covered)


def fund_cover(session: Session) -> Cover:
    """The figures of the cover chart, each from the ledger or the batches it names."""
    cash = sum(balance(session, account(session, code)) for code in CASH_ACCOUNTS)
    owed = -sum(balances_by_dimension(session, "2000", "event", currency=PAYOUT_CURRENCY).values())
    unclaimed = -balance(session, account(session, "2100", currency=PAYOUT_CURRENCY))
    return Cover(
        cash=cash,
        approved_unpaid=owed + unclaimed,
        awaiting_approval=_batch_total(session, "submitted"),
        drafts=_batch_total(session, "draft"),
        ongoing_estimate=ongoing_estimate(session),
    )


def cover_chart(cover: Cover) -> Chart:
    """Cash beside each commitment, one bar each."""
    return Chart(
        title=f"Cash held against what the fund will need ({PAYOUT_CURRENCY})",
        currency=PAYOUT_CURRENCY,
        labels=(
            "Cash held",
            "Approved, not yet paid",
            "Awaiting approval",
            "Draft batches",
            f"Ongoing suspensions, next {ESTIMATE_DAYS} days (estimate)",
        ),
        series=(
            (
                PAYOUT_CURRENCY,
                (
                    cover.cash,
                    cover.approved_unpaid,
                    cover.awaiting_approval,
                    cover.drafts,
                    cover.ongoing_estimate,
                ),
            ),
        ),
    )
