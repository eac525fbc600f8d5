"""Money on staff pages: separators, and the currency once (in the amount, or once in the
header of a column of amounts), never a bare ``12500.00``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fund import money_limits
from fund.disbursements.making import create_batch
from fund.entitlements.models import Entitlement
from ledger.models import Account
from tests.brands.books import write_books
from tests.disbursements.conftest import SECRET, World
from tests.entitlements.helpers import taka

#: An amount of a thousand or more written without its thousands separator.
UNGROUPED = re.compile(r"(?<![\d,.])\d{4,}\.\d{2}\b")


def signed_in(app: Flask, login: Callable[..., Any], who: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, who).status_code == 302
    return client


def column_headers(page: str, table_class: str | None = None) -> list[str]:
    """The header cells' texts of the page's tables (or of those with ``table_class``)."""
    heads = re.findall(r"<thead>(.*?)</thead>", page, re.DOTALL)
    if table_class is not None:
        heads = re.findall(rf'<table class="[^"]*{table_class}[^"]*">\s*<thead>(.*?)</thead>', page)
    return [
        " ".join(re.sub(r"<[^>]+>", " ", th).split())
        for h in heads
        for th in re.findall(r"<th.*?</th>", h)
    ]


def test_the_batch_event_and_worker_pages_show_amounts_with_separators_and_one_currency(
    app: Flask, world: World, login: Callable[..., Any]
) -> None:
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    officer = signed_in(app, login, "officer")
    entitlement = world.session.scalars(select(Entitlement).order_by(Entitlement.id)).first()
    assert entitlement is not None
    for path, header in (
        (f"/batches/{batch.id}", "Amount (BDT)"),
        (f"/events/{world.event.id}", "Amount (BDT)"),
        (f"/entitlements/{entitlement.id}", "Amount (exact) (BDT)"),
    ):
        page = officer.get(path).get_data(as_text=True)
        assert header in column_headers(page), (path, column_headers(page))
        assert not UNGROUPED.findall(page), (path, UNGROUPED.findall(page))
        assert "BDT BDT" not in page
    assert "Monthly (BDT)" in column_headers(
        officer.get(f"/entitlements/{entitlement.id}").get_data(as_text=True)
    )


def test_a_refused_amount_names_both_figures_with_separators_and_the_currency_once() -> None:
    with pytest.raises(money_limits.AmountTooLarge) as refused:
        money_limits.check(
            money_limits.PLEDGE + 1, money_limits.PLEDGE, what="A pledge", currency="USD"
        )
    assert str(refused.value) == (
        "A pledge of 1,000,000,000.01 USD is past the maximum of 1,000,000,000.00 USD"
    )


def test_no_staff_page_shows_an_amount_without_its_separators(
    app: Flask, world: World, login: Callable[..., Any]
) -> None:
    world.fund_bank(taka(250_000))
    write_books(world.session, world.people.brands, world.people.admin)
    batch = create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    # An account that exists on every database (ids are not reused between tests on PostgreSQL).
    bank = world.session.scalars(select(Account).where(Account.code == "1010")).first()
    assert bank is not None
    pages = {
        "officer": ["/", f"/batches/{batch.id}", f"/batches/?event={world.event.id}", "/events/",
                    f"/events/{world.event.id}", "/brands/", "/brands/HAVEN", "/brands/NORD",
                    "/controls/"],
        "accountant": ["/", "/ledger/", "/ledger/journal", f"/ledger/accounts/{bank.id}"],
        "admin": ["/audit/"],
    }  # fmt: skip
    for who, paths in pages.items():
        client = signed_in(app, login, who)
        for path in paths:
            answer = client.get(path)
            assert answer.status_code == 200, (who, path)
            page = answer.get_data(as_text=True)
            assert not UNGROUPED.findall(page), (who, path, UNGROUPED.findall(page))
            for currency in ("BDT", "USD"):
                assert f"{currency} {currency}" not in page, (who, path)
