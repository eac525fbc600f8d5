"""After a batch is paid out: the provider's result file, a line settled by hand, payee
changes, failed lines expired to unclaimed payouts, and workers paid more than they are owed.

Rules: each settling step asks the acting user's second factor first; a payee change is
approved by another approver than the one who asked for it (the services enforce both).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

from fund.cli_options import (
    acting_user,
    code_option,
    confirm_step_up,
    event_by_id,
    fail,
    step_work,
)
from fund.db import get_session
from fund.disbursements import making, payee_changes, paying, reissuing, services, settling
from fund.disbursements.cli.group import (
    REFUSALS,
    as_option,
    batch_of,
    batches_cli,
    line_of,
    on_date,
    on_option,
    refusable_step,
)
from fund.disbursements.reconciliation import ResultFileInvalid
from ledger.money import format_minor


@batches_cli.command("reconcile")
@click.argument("batch_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@on_option
@as_option
@code_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def reconcile(
    batch_id: int,
    file: Path,
    on_text: str | None,
    username: str | None,
    code: str | None,
    as_json: bool,
) -> None:
    """Import the provider's result file; the same file twice changes nothing."""
    confirm_step_up(username, code)
    with step_work(invalid=(ResultFileInvalid,), refused=REFUSALS) as session:
        result = settling.reconcile(
            session,
            batch=batch_of(session, batch_id),
            actor=acting_user(session, username),
            data=file.read_bytes(),
            filename=file.name,
            on=on_date(on_text),
        )
    if as_json:
        click.echo(json.dumps(result.__dict__, indent=2, ensure_ascii=False))
        return
    if result.repeated:
        click.echo(f"{file.name} was imported before: nothing changed")
    click.echo(
        f"{result.rows} rows: {result.paid} paid, {result.failed} failed, "
        f"{len(result.mismatches)} mismatches"
    )
    for mismatch in result.mismatches:
        click.echo(f"  mismatch: {mismatch}")


@batches_cli.command("line")
@click.argument("batch_id", type=int)
@click.argument("receipt")
@click.option(
    "--mark", required=True, type=click.Choice(["paid", "failed", "unclaimed", "reissue"])
)
@click.option("--reason", default="", help="Why it failed.")
@click.option("--method", type=click.Choice(["mobile", "bank", "cash"]), help="Reissue by this.")
@click.option("--wallet", help="Reissue to this wallet number.")
@click.option("--bank-account", help="Reissue to this bank account.")
@on_option
@as_option
@code_option
def line_command(
    batch_id: int,
    receipt: str,
    mark: str,
    reason: str,
    method: str | None,
    wallet: str | None,
    bank_account: str | None,
    on_text: str | None,
    username: str | None,
    code: str | None,
) -> None:
    """Settle one payment line by hand: paid, failed, unclaimed, or reissue it."""
    confirm_step_up(username, code)
    with refusable_step() as session:
        line = line_of(session, batch_of(session, batch_id), receipt)
        actor = acting_user(session, username)
        on = on_date(on_text)
        if mark == "paid":
            paying.mark_paid(session, line=line, actor=actor, on=on)
        elif mark == "failed":
            paying.mark_failed(session, line=line, actor=actor, on=on, reason=reason or "failed")
        elif mark == "unclaimed":
            reissuing.mark_unclaimed(session, line=line, actor=actor, on=on)
        else:
            line = reissuing.reissue(
                session,
                line=line,
                actor=actor,
                on=on,
                secret_key=current_app.config["SECRET_KEY"],
                method=method,
                wallet_number=wallet,
                bank_account=bank_account,
            )
        click.echo(f"{line.receipt_number}: {line.state}")


@batches_cli.command("payee-change")
@click.argument("batch_id", type=int)
@click.argument("receipt")
@click.option("--reason", required=True, help="Who asked for the new details, how checked.")
@click.option("--method", type=click.Choice(["mobile", "bank", "cash"]), help="Pay by this.")
@click.option("--wallet", help="Pay to this wallet number (checked like the roll's).")
@click.option("--bank-account", help="Pay to this bank account (checked like the roll's).")
@as_option
@code_option
def payee_change(
    batch_id: int,
    receipt: str,
    reason: str,
    method: str | None,
    wallet: str | None,
    bank_account: str | None,
    username: str | None,
    code: str | None,
) -> None:
    """Ask to pay a failed line to other details; another approver must approve it."""
    confirm_step_up(username, code)
    with refusable_step() as session:
        change = payee_changes.request_payee_change(
            session,
            line=line_of(session, batch_of(session, batch_id), receipt),
            actor=acting_user(session, username),
            reason=reason,
            method=method,
            wallet_number=wallet,
            bank_account=bank_account,
        )
        click.echo(f"payee change {change.id} requested for {receipt}: waiting for an approver")


@batches_cli.command("payee-change-decide")
@click.argument("change_id", type=int)
@click.option("--approve", "decision", flag_value="approve", help="Approve and reissue.")
@click.option("--reject", "decision", flag_value="reject", help="Turn it down.")
@click.option("--reason", default="", help="Why it is turned down.")
@on_option
@as_option
@code_option
def payee_change_decide(
    change_id: int,
    decision: str | None,
    reason: str,
    on_text: str | None,
    username: str | None,
    code: str | None,
) -> None:
    """Approve a payee change (the line is reissued to it) or reject it; never the requester."""
    if decision is None:
        fail("say --approve or --reject")
    confirm_step_up(username, code)
    with refusable_step() as session:
        change = payee_changes.get_change(session, change_id)
        actor = acting_user(session, username)
        if decision == "approve":
            line = payee_changes.approve_payee_change(
                session,
                change=change,
                actor=actor,
                on=on_date(on_text),
                secret_key=current_app.config["SECRET_KEY"],
            )
            click.echo(f"payee change {change_id} approved: {line.receipt_number} pending")
        else:
            payee_changes.reject_payee_change(session, change=change, actor=actor, note=reason)
            click.echo(f"payee change {change_id} rejected")


@batches_cli.command("expire-unclaimed")
@click.argument("batch_id", type=int)
@click.option("--after-days", type=int, help="Default: the app's UNCLAIMED_AFTER_DAYS (90).")
@on_option
@as_option
def expire_unclaimed(
    batch_id: int, after_days: int | None, on_text: str | None, username: str | None
) -> None:
    """Move failed lines nobody reissued within the period to unclaimed payouts (2100)."""
    days = after_days or int(
        current_app.config.get("UNCLAIMED_AFTER_DAYS", services.DEFAULT_UNCLAIMED_DAYS)
    )
    with refusable_step() as session:
        moved = reissuing.expire_unclaimed(
            session,
            batch=batch_of(session, batch_id),
            actor=acting_user(session, username),
            on=on_date(on_text),
            after_days=days,
        )
        click.echo(f"{len(moved)} line(s) moved to unclaimed payouts")


@batches_cli.command("overpaid")
@click.argument("event_id", type=int)
def overpaid(event_id: int) -> None:
    """Workers whose payment lines hold more than the event's latest computation gives them."""
    session = get_session()
    found = making.overpayments(session, event=event_by_id(session, event_id))
    for over in found:
        click.echo(
            f"{over.worker_id}\t{over.name}\tentitled {format_minor(over.entitled_minor, 'BDT')}"
            f"\theld {format_minor(over.committed_minor, 'BDT')}"
            f"\texcess {format_minor(over.excess_minor, 'BDT')}"
        )
    total = sum(over.excess_minor for over in found)
    click.echo(f"{len(found)} worker(s) overpaid by {format_minor(total, 'BDT')} BDT in all")
