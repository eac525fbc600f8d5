"""A batch's steps: make a draft, submit, approve, reject, cancel, pay; fund the float; list.

Rules: approving and paying move money, so they ask the acting user's second factor first and
are dated ``--on``; a rerun of either posts nothing (the services say so).
"""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import select

from fund.cli_options import acting_user, code_option, confirm_step_up, event_by_id, fail
from fund.controls.approvals import bands_from_config
from fund.db import get_session
from fund.disbursements import approving, making, paying
from fund.disbursements.cli.group import (
    as_option,
    batch_of,
    batches_cli,
    fees,
    on_date,
    on_option,
    refusable_step,
    summary,
)
from fund.disbursements.models import DisbursementBatch
from ledger.money import MoneyError, format_minor, to_minor


@batches_cli.command("create")
@click.argument("event_id", type=int)
@click.option("--workers", help="Only these worker IDs, comma separated.")
@click.option("--top-up", is_flag=True, help="After a recomputation: pay only the difference.")
@as_option
def create(event_id: int, workers: str | None, top_up: bool, username: str | None) -> None:
    """Make a draft batch of an event's computed entitlements."""
    selection = [w.strip() for w in workers.split(",") if w.strip()] if workers else None
    with refusable_step() as session:
        batch = making.create_batch(
            session,
            event=event_by_id(session, event_id),
            actor=acting_user(session, username),
            secret_key=current_app.config["SECRET_KEY"],
            selection=selection,
            top_up=top_up,
        )
        click.echo(summary(batch))


def _step(batch_id: int, username: str | None, action: str, **kwargs: object) -> None:
    with refusable_step() as session:
        batch = batch_of(session, batch_id)
        actor = acting_user(session, username)
        getattr(paying if action == "pay" else approving, action)(
            session, batch=batch, actor=actor, **kwargs
        )
        click.echo(summary(batch))


@batches_cli.command("submit")
@click.argument("batch_id", type=int)
@as_option
def submit(batch_id: int, username: str | None) -> None:
    """Hand a draft batch to the approvers."""
    _step(batch_id, username, "submit", bands=bands_from_config(current_app.config))


def _money_step(action: str, help_text: str) -> None:
    """Register ``batches ACTION``: a step that moves money, dated ``--on``, second factor first."""

    @batches_cli.command(action, help=help_text)
    @click.argument("batch_id", type=int)
    @on_option
    @as_option
    @code_option
    def command(batch_id: int, on_text: str | None, username: str | None, code: str | None) -> None:
        confirm_step_up(username, code)
        _step(batch_id, username, action, on=on_date(on_text), fees=fees())


_money_step(
    "approve",
    "Approve a submitted batch (not your own) and post it to the books; a rerun posts nothing.",
)
_money_step(
    "pay", "Release an approved batch's money from the bank and the float; a rerun posts nothing."
)


@batches_cli.command("reject")
@click.argument("batch_id", type=int)
@click.option("--reason", required=True)
@as_option
def reject(batch_id: int, reason: str, username: str | None) -> None:
    """Send a submitted batch back."""
    _step(batch_id, username, "reject", reason=reason)


@batches_cli.command("cancel")
@click.argument("batch_id", type=int)
@click.option("--reason", required=True)
@on_option
@as_option
def cancel(batch_id: int, reason: str, on_text: str | None, username: str | None) -> None:
    """Cancel a batch not yet paid (an approved one has its posting reversed)."""
    _step(batch_id, username, "cancel", reason=reason, on=on_date(on_text))


@batches_cli.command("fund-float")
@click.argument("amount")
@on_option
@as_option
@code_option
def fund_float(amount: str, on_text: str | None, username: str | None, code: str | None) -> None:
    """Move AMOUNT taka from the bank (1010) to the mobile-money float (1020)."""
    confirm_step_up(username, code)
    try:
        minor = to_minor(amount.replace(",", ""), "BDT")
    except MoneyError as error:
        fail(str(error))
    with refusable_step() as session:
        entry = paying.transfer_to_float(
            session, amount_minor=minor, actor=acting_user(session, username), on=on_date(on_text)
        )
        click.echo(f"moved {format_minor(minor, 'BDT')} BDT to the float (entry {entry.id})")


@batches_cli.command("list")
@click.option("--event", "event_id", type=int, help="Only this event's batches.")
def list_batches(event_id: int | None) -> None:
    """List batches, newest first."""
    query = select(DisbursementBatch).order_by(DisbursementBatch.id.desc())
    if event_id is not None:
        query = query.where(DisbursementBatch.event_id == event_id)
    for batch in get_session().scalars(query):
        click.echo(summary(batch))
