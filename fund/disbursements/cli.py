"""``fund batches …``: make, approve and pay disbursement batches, and write their outputs.

The acting user is given with ``--as USER`` (their role decides what they may do, and the
approver must not be the submitter); a step that moves money asks their second factor first.
A refused step exits with status 1 and says why; bad input (an unknown batch, user or file)
exits with status 2. Nothing is written when a step is refused.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.cli_options import (
    acting_user,
    calendar_date,
    code_option,
    confirm_step_up,
    fail,
    write_whole,
)
from fund.controls.approvals import bands_from_config
from fund.db import get_session, unit_of_work, utcnow
from fund.disbursements import (
    approving,
    making,
    outputs,
    payee_changes,
    paying,
    reissuing,
    services,
    settling,
)
from fund.disbursements.models import DisbursementBatch, PaymentLine
from fund.disbursements.receipt_checks import check_receipt
from fund.disbursements.receipts import render_receipts
from fund.disbursements.reconciliation import ResultFileInvalid
from fund.disbursements.sheets import build_sheet_pdf, build_sheet_xlsx
from fund.disbursements.step_dates import StepDateRefused
from fund.events.models import Event
from ledger import InsufficientFunds, LedgerError
from ledger.money import MoneyError, format_minor, to_minor

batches_cli = AppGroup("batches", help="Disbursement batches: prepare, approve, pay, reconcile.")

REFUSED = 1


def _batch(session: Session, batch_id: int) -> DisbursementBatch:
    batch = session.get(DisbursementBatch, batch_id)
    if batch is None:
        fail(f"no batch {batch_id}")
    return batch


def _on(text: str | None) -> date:
    return calendar_date(text, "--on") or utcnow().date()


def _fees() -> dict[str, int]:
    return dict(current_app.config.get("DISBURSEMENT_FEES", services.DEFAULT_FEES))


def _summary(batch: DisbursementBatch) -> str:
    return (
        f"batch {batch.id} ({batch.kind.replace('_', '-')}) of event {batch.event_id}: "
        f"{batch.state}, {batch.line_count} workers, "
        f"{format_minor(batch.total_minor, batch.currency)} {batch.currency}"
    )


_REFUSALS = (services.BatchRefused, InsufficientFunds, LedgerError, StepDateRefused)

as_option = click.option("--as", "username", help="The acting user (required).")
on_option = click.option("--on", "on_text", help="Effective date of the posting (default today).")


@batches_cli.command("create")
@click.argument("event_id", type=int)
@click.option("--workers", help="Only these worker IDs, comma separated.")
@click.option("--top-up", is_flag=True, help="After a recomputation: pay only the difference.")
@as_option
def create(event_id: int, workers: str | None, top_up: bool, username: str | None) -> None:
    """Make a draft batch of an event's computed entitlements."""
    selection = [w.strip() for w in workers.split(",") if w.strip()] if workers else None
    try:
        with unit_of_work() as session:
            event = session.get(Event, event_id)
            if event is None:
                fail(f"no event {event_id}")
            batch = making.create_batch(
                session,
                event=event,
                actor=acting_user(session, username),
                secret_key=current_app.config["SECRET_KEY"],
                selection=selection,
                top_up=top_up,
            )
            click.echo(_summary(batch))
    except _REFUSALS as error:
        fail(str(error), REFUSED)


def _step(batch_id: int, username: str | None, action: str, **kwargs: object) -> None:
    try:
        with unit_of_work() as session:
            batch = _batch(session, batch_id)
            actor = acting_user(session, username)
            getattr(paying if action == "pay" else approving, action)(
                session, batch=batch, actor=actor, **kwargs
            )
            click.echo(_summary(batch))
    except _REFUSALS as error:
        fail(str(error), REFUSED)


@batches_cli.command("submit")
@click.argument("batch_id", type=int)
@as_option
def submit(batch_id: int, username: str | None) -> None:
    """Hand a draft batch to the approvers."""
    _step(batch_id, username, "submit", bands=bands_from_config(current_app.config))


@batches_cli.command("approve")
@click.argument("batch_id", type=int)
@on_option
@as_option
@code_option
def approve(batch_id: int, on_text: str | None, username: str | None, code: str | None) -> None:
    """Approve a submitted batch (not your own) and post it to the books; a rerun posts nothing."""
    confirm_step_up(username, code)
    _step(batch_id, username, "approve", on=_on(on_text), fees=_fees())


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
    _step(batch_id, username, "cancel", reason=reason, on=_on(on_text))


@batches_cli.command("pay")
@click.argument("batch_id", type=int)
@on_option
@as_option
@code_option
def pay(batch_id: int, on_text: str | None, username: str | None, code: str | None) -> None:
    """Release an approved batch's money from the bank and the float; a rerun posts nothing."""
    confirm_step_up(username, code)
    _step(batch_id, username, "pay", on=_on(on_text), fees=_fees())


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
    try:
        with unit_of_work() as session:
            entry = paying.transfer_to_float(
                session, amount_minor=minor, actor=acting_user(session, username), on=_on(on_text)
            )
            click.echo(f"moved {format_minor(minor, 'BDT')} BDT to the float (entry {entry.id})")
    except _REFUSALS as error:
        fail(str(error), REFUSED)


def _write(output: Path, data: bytes) -> None:
    write_whole(output, data)
    click.echo(f"wrote {output} ({len(data):,} bytes)")


@batches_cli.command("sheet")
@click.argument("batch_id", type=int)
@click.option("--format", "file_format", type=click.Choice(["xlsx", "pdf"]), default="xlsx")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def sheet(batch_id: int, file_format: str, output: Path) -> None:
    """Write the disbursement sheet."""
    session = get_session()
    batch = _batch(session, batch_id)
    header, rows = outputs.sheet_header(batch), outputs.sheet_rows(session, batch)
    build = build_sheet_xlsx if file_format == "xlsx" else build_sheet_pdf
    _write(output, build(header, rows))


@batches_cli.command("receipts")
@click.argument("batch_id", type=int)
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def receipts(batch_id: int, output: Path) -> None:
    """Write one receipt page per worker of the batch, as one PDF."""
    session = get_session()
    batch = _batch(session, batch_id)
    _write(output, render_receipts(outputs.receipts(session, batch)))


@batches_cli.command("payment-file")
@click.argument("batch_id", type=int)
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(["mobile", "bank"]), default="mobile")
def payment_file(batch_id: int, output: Path, file_format: str) -> None:
    """Write the provider's bulk payment file of the batch's pending lines (README: formats)."""
    session = get_session()
    batch = _batch(session, batch_id)
    bom = current_app.config["PAYMENT_FILE_BOM"]
    _write(output, outputs.payment_file(session, batch, file_format=file_format, bom_formats=bom))


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
    try:
        with unit_of_work() as session:
            batch = _batch(session, batch_id)
            result = settling.reconcile(
                session,
                batch=batch,
                actor=acting_user(session, username),
                data=file.read_bytes(),
                filename=file.name,
                on=_on(on_text),
            )
    except ResultFileInvalid as error:
        fail(str(error))
    except _REFUSALS as error:
        fail(str(error), REFUSED)
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


def _line(session: Session, batch: DisbursementBatch, receipt: str) -> PaymentLine:
    line = session.scalar(
        select(PaymentLine).where(
            PaymentLine.batch_id == batch.id, PaymentLine.receipt_number == receipt
        )
    )
    if line is None:
        fail(f"batch {batch.id} has no payment line {receipt!r}")
    return line


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
    try:
        with unit_of_work() as session:
            batch = _batch(session, batch_id)
            line = _line(session, batch, receipt)
            actor = acting_user(session, username)
            on = _on(on_text)
            if mark == "paid":
                paying.mark_paid(session, line=line, actor=actor, on=on)
            elif mark == "failed":
                paying.mark_failed(
                    session, line=line, actor=actor, on=on, reason=reason or "failed"
                )
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
    except _REFUSALS as error:
        fail(str(error), REFUSED)


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
    try:
        with unit_of_work() as session:
            line = _line(session, _batch(session, batch_id), receipt)
            change = payee_changes.request_payee_change(
                session,
                line=line,
                actor=acting_user(session, username),
                reason=reason,
                method=method,
                wallet_number=wallet,
                bank_account=bank_account,
            )
            click.echo(f"payee change {change.id} requested for {receipt}: waiting for an approver")
    except _REFUSALS as error:
        fail(str(error), REFUSED)


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
    try:
        with unit_of_work() as session:
            change = payee_changes.get_change(session, change_id)
            actor = acting_user(session, username)
            if decision == "approve":
                line = payee_changes.approve_payee_change(
                    session,
                    change=change,
                    actor=actor,
                    on=_on(on_text),
                    secret_key=current_app.config["SECRET_KEY"],
                )
                click.echo(f"payee change {change_id} approved: {line.receipt_number} pending")
            else:
                payee_changes.reject_payee_change(session, change=change, actor=actor, note=reason)
                click.echo(f"payee change {change_id} rejected")
    except _REFUSALS as error:
        fail(str(error), REFUSED)


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
    try:
        with unit_of_work() as session:
            moved = reissuing.expire_unclaimed(
                session,
                batch=_batch(session, batch_id),
                actor=acting_user(session, username),
                on=_on(on_text),
                after_days=days,
            )
            click.echo(f"{len(moved)} line(s) moved to unclaimed payouts")
    except _REFUSALS as error:
        fail(str(error), REFUSED)


@batches_cli.command("list")
@click.option("--event", "event_id", type=int, help="Only this event's batches.")
def list_batches(event_id: int | None) -> None:
    """List batches, newest first."""
    query = select(DisbursementBatch).order_by(DisbursementBatch.id.desc())
    if event_id is not None:
        query = query.where(DisbursementBatch.event_id == event_id)
    for batch in get_session().scalars(query):
        click.echo(_summary(batch))


@batches_cli.command("check-receipt")
@click.argument("receipt_number")
@click.argument("code")
def check_receipt_command(receipt_number: str, code: str) -> None:
    """Whether a receipt (number and verification code) was issued by the fund; exit 1 if not."""
    verdict = check_receipt(
        get_session(),
        receipt_number=receipt_number,
        code=code,
        secret_key=current_app.config["SECRET_KEY"],
    )
    if verdict.line is None:
        fail(f"not genuine: {verdict.reason}", REFUSED)
    line = verdict.line
    click.echo(
        f"genuine: {line.receipt_number} {line.worker_id} {line.name}"
        f" {format_minor(line.amount_minor, line.batch.currency)} {line.batch.currency}"
        f" {line.method} {line.state} (batch {line.batch_id}, {line.batch.state})"
    )


@batches_cli.command("overpaid")
@click.argument("event_id", type=int)
def overpaid(event_id: int) -> None:
    """Workers whose payment lines hold more than the event's latest computation gives them."""
    session = get_session()
    event = session.get(Event, event_id)
    if event is None:
        fail(f"no event {event_id}")
    found = making.overpayments(session, event=event)
    for over in found:
        click.echo(
            f"{over.worker_id}\t{over.name}\tentitled {format_minor(over.entitled_minor, 'BDT')}"
            f"\theld {format_minor(over.committed_minor, 'BDT')}"
            f"\texcess {format_minor(over.excess_minor, 'BDT')}"
        )
    total = sum(over.excess_minor for over in found)
    click.echo(f"{len(found)} worker(s) overpaid by {format_minor(total, 'BDT')} BDT in all")
