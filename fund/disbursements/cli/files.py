"""A batch's files: the disbursement sheet, the receipts, the provider's payment file; and
whether a receipt shown by a worker was issued by the fund.

Rules: each file is written whole or not at all (``write_whole``); nothing here changes a batch.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from fund.cli_options import REFUSED, fail, write_whole
from fund.db import get_session
from fund.disbursements import outputs
from fund.disbursements.cli.group import batch_of, batches_cli
from fund.disbursements.receipt_checks import check_receipt
from fund.disbursements.receipts import render_receipts
from fund.disbursements.sheets import build_sheet_pdf, build_sheet_xlsx
from ledger.money import format_minor

output_option = click.option(
    "--output", required=True, type=click.Path(dir_okay=False, path_type=Path)
)


def _write(output: Path, data: bytes) -> None:
    write_whole(output, data)
    click.echo(f"wrote {output} ({len(data):,} bytes)")


@batches_cli.command("sheet")
@click.argument("batch_id", type=int)
@click.option("--format", "file_format", type=click.Choice(["xlsx", "pdf"]), default="xlsx")
@output_option
def sheet(batch_id: int, file_format: str, output: Path) -> None:
    """Write the disbursement sheet."""
    session = get_session()
    batch = batch_of(session, batch_id)
    header, rows = outputs.sheet_header(batch), outputs.sheet_rows(session, batch)
    build = build_sheet_xlsx if file_format == "xlsx" else build_sheet_pdf
    _write(output, build(header, rows))


@batches_cli.command("receipts")
@click.argument("batch_id", type=int)
@output_option
def receipts(batch_id: int, output: Path) -> None:
    """Write one receipt page per worker of the batch, as one PDF."""
    session = get_session()
    _write(output, render_receipts(outputs.receipts(session, batch_of(session, batch_id))))


@batches_cli.command("payment-file")
@click.argument("batch_id", type=int)
@output_option
@click.option("--format", "file_format", type=click.Choice(["mobile", "bank"]), default="mobile")
def payment_file(batch_id: int, output: Path, file_format: str) -> None:
    """Write the provider's bulk payment file of the batch's pending lines (README: formats)."""
    session = get_session()
    batch = batch_of(session, batch_id)
    bom = current_app.config["PAYMENT_FILE_BOM"]
    _write(output, outputs.payment_file(session, batch, file_format=file_format, bom_formats=bom))


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
