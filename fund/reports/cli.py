"""``fund ledger …``: the accountant's and auditor's commands on the books."""

from __future__ import annotations

import json
from datetime import date, datetime

import click
from flask.cli import AppGroup

from fund.db import get_session
from ledger import verify
from ledger.money import from_minor
from ledger.queries import trial_balance

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
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": result.ok,
                    "entries": result.entries,
                    "first_bad_entry": result.first_bad_entry,
                    "reason": result.reason,
                }
            )
        )
    elif result.ok:
        click.echo(f"ledger intact: {result.entries} entries, chain and balances verified")
    else:
        where = f"entry {result.first_bad_entry}" if result.first_bad_entry else "the chain's end"
        click.echo(f"ledger broken at {where}: {result.reason}", err=True)
    if not result.ok:
        raise SystemExit(1)
