"""The ``batches`` command group and what its commands share: the batch or line an argument
names, the posting date, the fees, a batch in one line, and a refused step turned into exit 1.

Rules: a refusal is raised inside the unit of work, so nothing of the refused step is kept.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.cli_options import calendar_date, fail, step_work
from fund.db import utcnow
from fund.disbursements import services
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.disbursements.step_dates import StepDateRefused
from ledger import InsufficientFunds, LedgerError
from ledger.money import format_minor

batches_cli = AppGroup("batches", help="Disbursement batches: prepare, approve, pay, reconcile.")

REFUSALS = (services.BatchRefused, InsufficientFunds, LedgerError, StepDateRefused)

as_option = click.option("--as", "username", help="The acting user (required).")
on_option = click.option("--on", "on_text", help="Effective date of the posting (default today).")


def refusable_step() -> AbstractContextManager[Session]:
    """A unit of work whose refusal stops the command with status 1, keeping nothing."""
    return step_work(refused=REFUSALS)


def batch_of(session: Session, batch_id: int) -> DisbursementBatch:
    """The batch a BATCH_ID argument names; an unknown one stops the command."""
    batch = session.get(DisbursementBatch, batch_id)
    if batch is None:
        fail(f"no batch {batch_id}")
    return batch


def line_of(session: Session, batch: DisbursementBatch, receipt: str) -> PaymentLine:
    """The batch's payment line with this receipt number; an unknown one stops the command."""
    line = session.scalar(
        select(PaymentLine).where(
            PaymentLine.batch_id == batch.id, PaymentLine.receipt_number == receipt
        )
    )
    if line is None:
        fail(f"batch {batch.id} has no payment line {receipt!r}")
    return line


def on_date(text: str | None) -> date:
    """The ``--on`` date, today when it is not given."""
    return calendar_date(text, "--on") or utcnow().date()


def fees() -> dict[str, int]:
    """The providers' fees the app is configured with."""
    return dict(current_app.config.get("DISBURSEMENT_FEES", services.DEFAULT_FEES))


def summary(batch: DisbursementBatch) -> str:
    """A batch in one line: id, kind, event, state, workers and total."""
    return (
        f"batch {batch.id} ({batch.kind.replace('_', '-')}) of event {batch.event_id}: "
        f"{batch.state}, {batch.line_count} workers, "
        f"{format_minor(batch.total_minor, batch.currency)} {batch.currency}"
    )
