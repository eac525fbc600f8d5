"""Closing months (accountant), reopening them (admin); the books page, API and charts."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.auth.roles import Role
from fund.reports.charts import Chart, svg
from fund.reports.services import CloseRefused, close_month, fund_charts, reopen_month
from ledger import Entry, PeriodClosed, Posting, account, closed_through, post
from ledger.money import from_minor
from ledger.queries import trial_balance
from tests.api.test_api_v1 import check_against_spec
from tests.brands.books import write_books

if TYPE_CHECKING:
    from tests.conftest import People


def test_an_accountant_closes_a_month_and_postings_in_it_are_refused(
    session: Session, users: People
) -> None:
    close_month(session, through=date(2026, 1, 31), actor=users.by_role[Role.ACCOUNTANT])
    assert closed_through(session) == date(2026, 1, 31)
    bank, fund = account(session, "1010"), account(session, "3000", currency="BDT")
    with pytest.raises(PeriodClosed):
        post(
            session,
            Entry(date(2026, 1, 31), "late", "late-1", (Posting(bank, 1), Posting(fund, -1))),
        )
    post(session, Entry(date(2026, 2, 1), "fine", "ok-1", (Posting(bank, 1), Posting(fund, -1))))
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "ledger.period_closed")
    ).one()
    assert event.actor_name == "accountant"
    assert event.after == {"closed_through": "2026-01-31"}


@pytest.mark.parametrize(
    ("role", "through", "message"),
    [
        (Role.ACCOUNTANT, date(2026, 1, 30), "not the last day"),
        (Role.OFFICER, date(2026, 1, 31), "only an accountant"),
    ],
)
def test_bad_closes_are_refused(
    session: Session, users: People, role: Role, through: date, message: str
) -> None:
    with pytest.raises(CloseRefused, match=message):
        close_month(session, through=through, actor=users.by_role[role])
    assert closed_through(session) is None


def test_only_an_administrator_reopens_with_a_reason_and_it_is_audited(
    session: Session, users: People
) -> None:
    close_month(session, through=date(2026, 2, 28), actor=users.by_role[Role.ACCOUNTANT])
    with pytest.raises(CloseRefused, match="administrator"):
        reopen_month(session, through=None, reason="typo", actor=users.by_role[Role.ACCOUNTANT])
    with pytest.raises(CloseRefused, match="reason"):
        reopen_month(session, through=None, reason="  ", actor=users.admin)
    reopen_month(session, through=date(2026, 1, 31), reason="late bank charge", actor=users.admin)
    assert closed_through(session) == date(2026, 1, 31)
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "ledger.period_reopened")
    ).one()
    assert event.actor_name == "admin"
    assert event.before == {"closed_through": "2026-02-28"}
    assert event.after == {"closed_through": "2026-01-31", "reason": "late bank charge"}


@pytest.fixture
def signed_in(
    app: Flask, users: People, login: Callable[..., Any]
) -> Callable[[Role], FlaskClient]:
    clients: dict[Role, FlaskClient] = {}

    def client_for(role: Role) -> FlaskClient:
        if role not in clients:
            client = app.test_client()
            assert login(client, users.by_role[role].username).status_code == 302
            clients[role] = client
        return clients[role]

    return client_for


def test_the_books_page_shows_the_trial_balance_charts_and_forms(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient]
) -> None:
    write_books(session, users.brands, users.admin)
    page = signed_in(Role.ACCOUNTANT).get("/ledger/?as_of=2026-03-31")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "debits = credits" in text
    assert text.count("<svg") >= 3
    assert "Close the books" in text
    assert "Reopen" not in text  # the administrator's form only
    assert "Reopen (administrator)" in signed_in(Role.ADMIN).get("/ledger/").get_data(as_text=True)
    auditor = signed_in(Role.AUDITOR).get("/ledger/").get_data(as_text=True)
    assert "Close the books" not in auditor
    assert signed_in(Role.OFFICER).get("/ledger/").status_code == 403
    assert signed_in(Role.BRAND).get("/ledger/export/journal.xlsx").status_code == 403


def test_an_auditor_downloads_the_journal(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient]
) -> None:
    write_books(session, users.brands, users.admin)
    response = signed_in(Role.AUDITOR).get(
        "/ledger/export/journal.xlsx?from=2026-03-01&to=2026-03-31"
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Journal", "Control totals"]
    assert signed_in(Role.AUDITOR).get("/ledger/export/nothing.xlsx").status_code == 404
    chosen = signed_in(Role.AUDITOR).get("/ledger/export.xlsx?kind=general-ledger&from=2026-02-01")
    assert openpyxl.load_workbook(io.BytesIO(chosen.data)).sheetnames[0] == "General ledger"
    backwards = "/ledger/export.xlsx?kind=journal&from=2026-03-01&to=2026-02-01"
    assert signed_in(Role.AUDITOR).get(backwards).status_code == 400
    assert (
        signed_in(Role.AUDITOR)
        .get("/ledger/export/account-statement.xlsx?account=999999")
        .status_code
        == 404
    )


def test_closing_and_reopening_on_the_web(
    session: Session,
    users: People,
    signed_in: Callable[[Role], FlaskClient],
    form_token: Callable[[FlaskClient, str], str],
) -> None:
    accountant = signed_in(Role.ACCOUNTANT)
    token = form_token(accountant, "/ledger/")
    closing = {"csrf_token": token, "through": "2026-01-31"}
    unconfirmed = accountant.post("/ledger/close", data=closing)
    assert unconfirmed.status_code == 400
    page = unconfirmed.get_data(as_text=True)
    assert "Tick to confirm" in page
    assert 'value="31 Jan 2026"' in page  # what the accountant typed, as dates are shown
    assert closed_through(session) is None
    closing["confirm"] = "y"
    assert accountant.post("/ledger/close", data=closing).status_code == 302
    assert closed_through(session) == date(2026, 1, 31)
    earlier = accountant.post("/ledger/close", data={**closing, "through": "2025-12-31"})
    assert earlier.status_code == 400
    assert "Not closed:" in earlier.get_data(as_text=True)
    assert 'value="31 Dec 2025"' in earlier.get_data(as_text=True)
    assert closed_through(session) == date(2026, 1, 31)
    assert (
        accountant.post("/ledger/reopen", data={"csrf_token": token, "reason": "x"}).status_code
        == 403
    )
    admin = signed_in(Role.ADMIN)
    token = form_token(admin, "/ledger/")
    admin.post("/ledger/reopen", data={"csrf_token": token, "through": "", "reason": "bank error"})
    assert closed_through(session) is None


def test_the_trial_balance_api_is_for_the_books_keepers(
    session: Session,
    users: People,
    client: FlaskClient,
    api_token: Callable[..., str],
) -> None:
    write_books(session, users.brands, users.admin)
    spec = client.get("/api/v1/openapi.json").json
    assert spec is not None
    headers = {"Authorization": f"Bearer {api_token(users.by_role[Role.AUDITOR])}"}
    response = client.get("/api/v1/ledger/trial-balance?as_of=2026-02-28", headers=headers)
    assert response.status_code == 200
    check_against_spec(spec, "/ledger/trial-balance", "get", 200, response.json)
    report = trial_balance(session, as_of=date(2026, 2, 28))
    body = response.json
    assert body is not None
    assert body["balanced"] is True
    assert {t["currency"]: (t["debit"], t["credit"]) for t in body["totals"]} == {
        c: (str(from_minor(d, c)), str(from_minor(k, c))) for c, (d, k) in report.totals.items()
    }
    for role in (Role.OFFICER, Role.BRAND, Role.APPROVER):
        token = {"Authorization": f"Bearer {api_token(users.by_role[role])}"}
        assert client.get("/api/v1/ledger/trial-balance", headers=token).status_code == 403


def test_charts_add_up_to_the_ledger(session: Session, users: People) -> None:
    write_books(session, users.brands, users.admin)
    charts = {chart.title: chart for chart in fund_charts(session, end=date(2026, 3, 31))}
    cash = charts["Fund balance (cash held, BDT) at each month's end"]
    assert cash.labels == ("2026-01", "2026-02", "2026-03")
    bank = account(session, "1010")
    from ledger.queries import balance

    assert cash.series[0][1][-1] == balance(session, bank, as_of=date(2026, 3, 31))
    by_brand = charts["Contributions received by brand (USD)"]
    assert dict(zip(by_brand.labels, by_brand.series[0][1], strict=True)) == {"NORD": 400_000}
    payouts = charts["Worker compensation by factory and month (BDT)"]
    table = {
        name: dict(zip(payouts.labels, values, strict=True)) for name, values in payouts.series
    }
    assert table == {
        "DHK-1": {"2026-02": 15_000_000, "2026-03": 1_000_000},
        "GZP-2": {"2026-02": 0, "2026-03": 9_000_000},
    }
    brandless = fund_charts(session, with_brands=False)
    assert not any("by brand" in chart.title for chart in brandless)


def test_svg_escapes_labels_and_draws_one_bar_per_value() -> None:
    chart = Chart(
        "<b>Pay</b>", "BDT", ("2026-01", "2026-02"), (("A&B", (100, 250)), ("C", (0, -50)))
    )
    drawn = str(svg(chart))
    assert drawn.startswith("<svg")
    assert "<b>" not in drawn
    assert "&lt;b&gt;Pay&lt;/b&gt;" in drawn
    assert drawn.count("<rect") == 4 + 2  # four bars and two legend keys


def test_an_accountant_sells_dollars_on_the_books_page(
    session: Session,
    users: People,
    signed_in: Callable[[Role], FlaskClient],
    form_token: Callable[[FlaskClient, str], str],
) -> None:
    write_books(session, users.brands, users.admin)
    accountant = signed_in(Role.ACCOUNTANT)
    token = form_token(accountant, "/ledger/")
    form = {
        "csrf_token": token,
        "reference": "DEAL-WEB",
        "amount": "500.00",
        "rate": "122.10",
        "effective_date": "2026-03-20",
    }
    assert accountant.post("/ledger/conversions", data=form).status_code == 302
    from fund.brands.models import Conversion

    stored = session.scalars(select(Conversion).where(Conversion.reference == "DEAL-WEB")).one()
    assert (stored.usd_amount, stored.rate, stored.bdt_amount) == (50_000, "122.1", 6_105_000)
    too_much = {**form, "reference": "DEAL-BIG", "amount": "1000000.00"}
    page = accountant.post("/ledger/conversions", data=too_much)
    assert page.status_code == 400
    assert "not enough dollars" in page.get_data(as_text=True)
    assert 'value="DEAL-BIG"' in page.get_data(as_text=True)  # the form keeps what was typed
    assert (
        session.scalars(select(Conversion).where(Conversion.reference == "DEAL-BIG")).first()
        is None
    )
    officer = signed_in(Role.OFFICER)
    own_token = form_token(officer, "/account/password")
    refused = officer.post("/ledger/conversions", data={**form, "csrf_token": own_token})
    assert refused.status_code == 403
