"""The default chart of accounts and opening an account for given dimensions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.errors import UnknownAccount
from ledger.models import DIMENSIONS, Account


@dataclass(frozen=True, slots=True)
class ChartAccount:
    """A line of the chart: code, name, type, fixed currency (or any) and its dimensions."""

    code: str
    name: str
    type: str
    currency: str | None
    dimensions: tuple[str, ...] = ()


CHART: dict[str, ChartAccount] = {
    line.code: line
    for line in (
        ChartAccount("1000", "Bank USD", "asset", "USD"),
        ChartAccount("1010", "Bank BDT", "asset", "BDT"),
        ChartAccount("1020", "Mobile-money float BDT", "asset", "BDT"),
        ChartAccount("1100", "Contributions receivable", "asset", None, ("brand",)),
        # co-payment: the factory's part of entitlements the fund advanced (issue 18)
        ChartAccount("1200", "Factory share receivable", "asset", None, ("factory",)),
        ChartAccount("1900", "Currency exchange", "asset", None),
        ChartAccount("2000", "Entitlements payable", "liability", None, ("event",)),
        ChartAccount("2100", "Unclaimed payouts", "liability", None),
        ChartAccount("3000", "Fund balance", "net_assets", None),
        ChartAccount("4000", "Contributions", "income", None, ("brand",)),
        ChartAccount("4200", "FX gain", "income", "BDT"),
        ChartAccount("5000", "Worker compensation", "expense", None, ("factory", "event")),
        ChartAccount("5100", "Payment fees", "expense", None),
        ChartAccount("5200", "FX loss", "expense", "BDT"),
    )
}


# The currencies the fund keeps books in: accounts without a fixed currency open in each.
CURRENCIES = ("BDT", "USD")


def _as_text(dimensions: dict[str, str | int | None]) -> dict[str, str]:
    # Dimensions are references to the app's rows (a brand code, an event id): kept as text.
    return {name: str(value) for name, value in dimensions.items() if value is not None}


def dimension_key(dimensions: dict[str, str | int | None]) -> str:
    """``{"factory": "DHK-017", "event": 7}`` → ``"event=7;factory=DHK-017"``."""
    unknown = set(dimensions) - set(DIMENSIONS)
    if unknown:
        raise UnknownAccount(f"unknown dimension(s): {', '.join(sorted(unknown))}")
    return ";".join(f"{k}={v}" for k, v in sorted(_as_text(dimensions).items()))


def account(
    session: Session,
    code: str,
    *,
    currency: str | None = None,
    **dimensions: str | int | None,
) -> Account:
    """The chart's account ``code`` in ``currency`` for these dimensions, opened on first use."""
    try:
        line = CHART[code]
    except KeyError:
        raise UnknownAccount(f"account {code} is not in the chart of accounts") from None
    chosen = currency or line.currency
    if chosen is None:
        raise UnknownAccount(f"account {code} ({line.name}) needs a currency")
    if line.currency is not None and chosen != line.currency:
        raise UnknownAccount(f"account {code} ({line.name}) is kept in {line.currency} only")
    missing = [name for name in line.dimensions if dimensions.get(name) is None]
    if missing:
        raise UnknownAccount(f"account {code} ({line.name}) is kept per {', '.join(missing)}")
    key = dimension_key(dimensions)
    identity = select(Account).where(
        Account.code == code, Account.currency == chosen, Account.dimension_key == key
    )
    found = session.scalar(identity)
    if found is not None:
        return found
    opened = Account(
        code=code,
        name=line.name,
        type=line.type,
        currency=chosen,
        dimension_key=key,
        **_as_text(dimensions),
    )
    if session.get_bind().dialect.name != "postgresql":
        # SQLite lets one writer in at a time: nobody can open the account meanwhile.
        session.add(opened)
        session.flush()
        return opened
    try:
        # Another request may open the same account at this moment: the unique key decides.
        with session.begin_nested():
            session.add(opened)
    except IntegrityError:
        found = session.scalar(identity)
        if found is None:
            raise
        return found
    return opened


def install_chart(session: Session, *, currencies: tuple[str, ...] = CURRENCIES) -> list[Account]:
    """Open every chart account kept without dimensions, in each currency (idempotent).

    Accounts kept per brand, event or factory open on first use through ``account``.
    """
    opened = []
    for line in CHART.values():
        if line.dimensions:
            continue
        for currency in (line.currency,) if line.currency else currencies:
            opened.append(account(session, line.code, currency=currency))
    return opened
