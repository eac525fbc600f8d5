"""``fund ledger …``: the accountant's and auditor's commands on the books."""

from __future__ import annotations

import json
import sys
import time
from datetime import date, datetime

import click
from flask.cli import AppGroup

from fund.cli_options import calendar_date, fail, named_user, say_verdict
from fund.db import get_session, unit_of_work
from fund.reports.services import (
    EXPORT_KINDS,
    CloseRefused,
    ExportKind,
    ExportRefused,
    close_month,
    export_books,
    postings_between,
    reopen_month,
)
from ledger import verify
from ledger.money import from_minor
from ledger.queries import trial_balance

#: The exports as long as the books, which show a progress bar.
LISTINGS = ("journal", "general-ledger")

ledger_cli = AppGroup("ledger", help="The double-entry books.")


def _amount(minor: int, currency: str) -> str:
    return str(from_minor(minor, currency))


@ledger_cli.command("trial-balance")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Effective date (inclusive).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def trial_balance_command(as_of: datetime | None, as_json: bool) -> None:
    """Every account's balance as of a date; debits equal credits per currency."""
    day: date | None = as_of.date() if as_of is not None else None
    report = trial_balance(get_session(), as_of=day)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "as_of": day.isoformat() if day else None,
                    "currencies": {
                        currency: {
                            "debit": _amount(debit, currency),
                            "credit": _amount(credit, currency),
                        }
                        for currency, (debit, credit) in report.totals.items()
                    },
                    "accounts": [
                        {
                            "code": line.code,
                            "name": line.name,
                            "dimensions": line.dimensions,
                            "currency": line.currency,
                            "debit": _amount(line.debit, line.currency),
                            "credit": _amount(line.credit, line.currency),
                        }
                        for line in report.lines
                    ],
                },
                ensure_ascii=False,
            )
        )
        return
    click.echo(f"Trial balance as of {day or 'today'}")
    for line in report.lines:
        label = f"{line.code} {line.name}" + (f" [{line.dimensions}]" if line.dimensions else "")
        click.echo(
            f"{label:<60} {line.currency} {_amount(line.debit, line.currency):>18} "
            f"{_amount(line.credit, line.currency):>18}"
        )
    for currency, (debit, credit) in report.totals.items():
        click.echo(
            f"{'Total':<60} {currency} {_amount(debit, currency):>18} "
            f"{_amount(credit, currency):>18}"
        )


@ledger_cli.command("verify")
@click.option("--json", "as_json", is_flag=True)
def verify_command(as_json: bool) -> None:
    """Recompute the hash chain and the balances; exit 1 naming the first bad entry."""
    result = verify(get_session())
    where = f"entry {result.first_bad_entry}" if result.first_bad_entry else "the chain's end"
    say_verdict(
        {
            "ok": result.ok,
            "entries": result.entries,
            "first_bad_entry": result.first_bad_entry,
            "reason": result.reason,
        },
        ok=result.ok,
        intact=f"ledger intact: {result.entries} entries, chain and balances verified",
        broken=f"ledger broken at {where}: {result.reason}",
        as_json=as_json,
    )


@ledger_cli.command("export")
@click.option("--kind", required=True, type=click.Choice(EXPORT_KINDS), help="Which workbook.")
@click.option("--from", "start_text", help="First effective date (inclusive), YYYY-MM-DD.")
@click.option("--to", "end_text", help="Last effective date (inclusive), YYYY-MM-DD.")
@click.option("--as-of", "as_of_text", help="Trial balance date (same as --to).")
@click.option("--account", "account_id", type=int, help="Account id (account-statement only).")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="The .xlsx file.")
def export_command(
    kind: ExportKind,
    start_text: str | None,
    end_text: str | None,
    as_of_text: str | None,
    account_id: int | None,
    output: str,
) -> None:
    """Write the journal, general ledger, trial balance or an account statement to Excel."""
    start = calendar_date(start_text, "--from")
    end = calendar_date(end_text, "--to")
    as_of = calendar_date(as_of_text, "--as-of")
    if as_of is not None and end is not None and as_of != end:
        fail("--as-of and --to name different dates")
    end = end or as_of
    started = time.perf_counter()
    session = get_session()
    # The long listings show a progress bar (on stderr, so stdout stays the summary).
    size = postings_between(session, start=start, end=end) if kind in LISTINGS else 0
    with click.progressbar(
        length=size, label=f"writing {kind}", file=sys.stderr, hidden=not size
    ) as bar:
        written = 0

        def progress(done: int) -> None:
            nonlocal written
            bar.update(done - written)
            written = done

        try:
            controls = export_books(
                session,
                kind=kind,
                target=output,
                start=start,
                end=end,
                account_id=account_id,
                progress=progress,
            )
        except ExportRefused as refused:
            fail(str(refused))
    took = time.perf_counter() - started
    if controls is None:
        click.echo(f"wrote {kind} to {output} ({took:.1f} s)")
        return
    totals = ", ".join(
        f"{currency} debit {_amount(controls.debit[currency], currency)} "
        f"credit {_amount(controls.credit[currency], currency)}"
        for currency in sorted(controls.debit)
    )
    click.echo(
        f"wrote {kind} to {output}: {controls.entries} entries, {controls.postings} postings"
        f"{'; ' + totals if totals else ''} ({took:.1f} s)"
    )


@ledger_cli.command("close")
@click.option("--through", "through_text", required=True, help="Last day of the month to close.")
@click.option("--as", "username", required=True, help="The accountant closing it.")
def close_command(through_text: str, username: str) -> None:
    """Close the books through a month's end: postings dated in it are refused afterwards."""
    through = calendar_date(through_text, "--through")
    assert through is not None
    with unit_of_work() as session:
        try:
            close_month(session, through=through, actor=named_user(session, username))
        except CloseRefused as refused:
            fail(str(refused), 1)
    click.echo(f"books closed through {through}")


@ledger_cli.command("reopen")
@click.option("--through", "through_text", help="Month end to leave closed (none: open all).")
@click.option("--reason", required=True, help="Why the period is reopened (kept in the log).")
@click.option("--as", "username", required=True, help="The administrator reopening it.")
def reopen_command(through_text: str | None, reason: str, username: str) -> None:
    """Reopen closed months (administrators only; audited with the reason)."""
    through = calendar_date(through_text, "--through")
    with unit_of_work() as session:
        try:
            reopen_month(
                session, through=through, reason=reason, actor=named_user(session, username)
            )
        except CloseRefused as refused:
            fail(str(refused), 1)
    click.echo(f"books now closed through {through}" if through else "books open for all dates")
