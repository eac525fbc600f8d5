"""A demo batch: the DHK-017 suspension paid in full, so sheets, receipts and the books show one.

Idempotent: skipped when the event already has a batch. The brands' demo money (a BDT
contribution and dollars sold for taka) is in the bank by then; the mobile lines' share is moved
to the mobile-money float first, then the officer prepares, the approver approves and the
accountant pays.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.disbursements.approving import approve, available_funds, submit
from fund.disbursements.making import create_batch
from fund.disbursements.models import DisbursementBatch
from fund.disbursements.paying import mobile_needed, pay, transfer_to_float
from fund.disbursements.services import DEFAULT_FEES, InsufficientFunds
from fund.entitlements.models import EntitlementRun
from fund.events.models import Event
from fund.factories.models import Factory
from ledger import account
from ledger.queries import balance

DEMO_FACTORY = "DHK-017"
APPROVED_ON = date(2026, 3, 20)
PAID_ON = date(2026, 3, 22)


def load_demo_batches(session: Session) -> list[str]:
    """Add and pay the demo batch if it is missing and the fund can afford it."""
    users = {u.username: u for u in session.scalars(select(User))}
    officer, approver, accountant, admin = (
        users.get(n) for n in ("officer", "approver", "accountant", "admin")
    )
    if officer is None or approver is None or accountant is None or admin is None:
        return []
    event = session.scalar(
        select(Event)
        .join(Factory, Factory.id == Event.factory_id)
        .where(Factory.code == DEMO_FACTORY, Event.kind == "suspension")
        .order_by(Event.id)
    )
    if event is None or not session.scalar(
        select(EntitlementRun.id).where(EntitlementRun.event_id == event.id)
    ):
        return []
    if session.scalar(select(DisbursementBatch.id).where(DisbursementBatch.event_id == event.id)):
        return []
    secret = current_app.config["SECRET_KEY"] if has_app_context() else "demo-secret-key"
    batch = create_batch(session, event=event, actor=officer, secret_key=secret)
    if available_funds(session) < batch.total_minor:
        return [f"batch {batch.id} (draft: the demo fund cannot afford it yet)"]
    submit(session, batch=batch, actor=officer)
    try:
        # Above 1,000,000 BDT a batch needs two distinct approvers (fund/controls/approvals.py).
        for who in (approver, admin)[: batch.approvals_required]:
            approve(session, batch=batch, actor=who, on=APPROVED_ON, fees=DEFAULT_FEES)
    except InsufficientFunds:
        return [f"batch {batch.id} (submitted)"]
    float_short = mobile_needed(session, batch) - balance(session, account(session, "1020"))
    if float_short > 0:
        transfer_to_float(session, amount_minor=float_short, actor=accountant, on=APPROVED_ON)
    pay(session, batch=batch, actor=accountant, on=PAID_ON, fees=DEFAULT_FEES)
    return [f"batch {batch.id} (paid)"]
