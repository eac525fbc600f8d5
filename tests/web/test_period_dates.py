"""The brand statement's period, the books' export form, the trial balance's date and the
journal's period take dates as the pages show them (``2 Dec 2026``) or ISO, show them back in the
display format, and say which date was not understood on the page itself."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from tests.brands.books import write_books

if TYPE_CHECKING:
    from tests.conftest import People

REFUSED = "Write the date as 2 Dec 2026."


@pytest.fixture
def signed_in(
    app: Flask, users: People, login: Callable[..., Any]
) -> Callable[[Role], FlaskClient]:
    """A client signed in as the fixture user of ``role``."""

    def client_for(role: Role) -> FlaskClient:
        client = app.test_client()
        assert login(client, users.by_role[role].username).status_code == 302
        return client

    return client_for


def tables(page: str) -> list[str]:
    """The page's figures: every table, and the sentence naming the statement's period."""
    return re.findall(r"<table.*?</table>|Statement (?:from|up to) [^<]*", page, re.DOTALL)


@pytest.mark.parametrize("path", ["/brands/HAVEN", "/brands/"])
def test_the_statement_period_reads_the_display_format_as_iso(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient], path: str
) -> None:
    write_books(session, users.brands, users.admin)
    officer = signed_in(Role.OFFICER)
    shown = officer.get(f"{path}?from=1+Feb+2026&to=28+Feb+2026")
    iso = officer.get(f"{path}?from=2026-02-01&to=2026-02-28")
    assert shown.status_code == iso.status_code == 200
    page = shown.get_data(as_text=True)
    assert tables(page) == tables(iso.get_data(as_text=True))
    assert 'value="1 Feb 2026"' in page
    assert 'value="28 Feb 2026"' in page  # ISO typed, shown as the pages show dates
    assert 'type="date"' not in page
    assert "day month year" in page  # the hint
    # the period counts: March leaves out February's figures
    march = officer.get(f"{path}?from=1+Mar+2026&to=31+Mar+2026").get_data(as_text=True)
    assert tables(march) != tables(page)


def test_the_statement_downloads_carry_the_period_typed(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient]
) -> None:
    write_books(session, users.brands, users.admin)
    officer = signed_in(Role.OFFICER)
    page = officer.get("/brands/HAVEN?from=1+Feb+2026&to=28+Feb+2026").get_data(as_text=True)
    assert "BEFTN-1" in page  # HAVEN's payment of 15 Feb
    assert "15 Feb 2026" in page  # its value date, as the pages show dates
    link = "/brands/HAVEN/statement.xlsx?from=2026-02-01&amp;to=2026-02-28"
    assert link in page
    workbook = officer.get(link.replace("&amp;", "&"))
    assert workbook.status_code == 200
    assert officer.get("/brands/HAVEN/statement.xlsx?from=1+Feb+2026").status_code == 200
    assert officer.get("/brands/HAVEN/statement.xlsx?from=02/01/2026").status_code == 400


@pytest.mark.parametrize("path", ["/brands/HAVEN", "/brands/"])
def test_a_statement_date_not_understood_is_named_on_the_page(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient], path: str
) -> None:
    write_books(session, users.brands, users.admin)
    answer = signed_in(Role.OFFICER).get(f"{path}?from=02/01/2026&to=28+Feb+2026")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f"From: {REFUSED}" in page
    assert f"To: {REFUSED}" not in page
    assert 'value="02/01/2026"' in page  # what was typed, to correct
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="filter-from-error filter-from-hint"' in page
    assert "02/01/2026" not in "".join(re.findall(r'href="[^"]*"', page))  # no link carries it


def journal_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)["Journal"]
    return list(sheet.iter_rows(values_only=True))


def test_the_export_form_reads_the_display_format_as_iso(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient]
) -> None:
    write_books(session, users.brands, users.admin)
    auditor = signed_in(Role.AUDITOR)
    shown = journal_rows(
        auditor.get("/ledger/export.xlsx?kind=journal&from=1+Feb+2026&to=28+Feb+2026")
    )
    iso = journal_rows(
        auditor.get("/ledger/export.xlsx?kind=journal&from=2026-02-01&to=2026-02-28")
    )
    assert shown == iso
    everything = journal_rows(auditor.get("/ledger/export.xlsx?kind=journal"))
    assert len(shown) < len(everything)  # the period was applied
    page = auditor.get("/ledger/").get_data(as_text=True)
    exports = page[page.index('id="exports"') : page.index("</form>", page.index('id="exports"'))]
    assert 'type="date"' not in exports
    assert 'name="from"' in exports
    assert "day month year" in exports


def test_an_export_date_not_understood_is_named_on_the_books_page(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient]
) -> None:
    write_books(session, users.brands, users.admin)
    answer = signed_in(Role.AUDITOR).get(
        "/ledger/export.xlsx?kind=general-ledger&from=1+Feb+2026&to=2026-31-02"
    )
    assert answer.status_code == 400
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert f"To: {REFUSED}" in page
    assert f"From: {REFUSED}" not in page
    assert 'value="2026-31-02"' in page  # kept, to correct
    assert 'value="1 Feb 2026"' in page  # understood, in the display format
    assert '<option value="general-ledger" selected>' in page  # the workbook chosen, kept


def test_the_trial_balance_date_reads_the_display_format_as_iso(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient]
) -> None:
    write_books(session, users.brands, users.admin)
    auditor = signed_in(Role.AUDITOR)
    shown = auditor.get("/ledger/?as_of=28+Feb+2026")
    iso = auditor.get("/ledger/?as_of=2026-02-28")
    assert shown.status_code == iso.status_code == 200
    page = shown.get_data(as_text=True)
    assert tables(page) == tables(iso.get_data(as_text=True))
    assert "Trial balance as of 28 Feb 2026" in page
    assert 'value="28 Feb 2026"' in page
    # the date counts: January's balance leaves out February's money
    january = auditor.get("/ledger/?as_of=31+Jan+2026").get_data(as_text=True)
    assert tables(january) != tables(page)


def test_a_trial_balance_date_not_understood_is_named_on_the_page(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient]
) -> None:
    write_books(session, users.brands, users.admin)
    auditor = signed_in(Role.AUDITOR)
    answer = auditor.get("/ledger/?as_of=28/02/2026")
    assert answer.status_code == 400
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert f"As of: {REFUSED}" in page
    assert 'value="28/02/2026"' in page  # what was typed, to correct
    assert 'aria-invalid="true"' in page
    assert "Trial balance (latest)" in page  # said as what it is, not as of some guessed day
    assert tables(page) == tables(auditor.get("/ledger/").get_data(as_text=True))
    assert "28/02/2026" not in "".join(re.findall(r'href="[^"]*"', page))


def test_the_journal_dates_read_the_display_format_as_iso(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient]
) -> None:
    write_books(session, users.brands, users.admin)
    auditor = signed_in(Role.AUDITOR)
    shown = auditor.get("/ledger/journal?from=1+Feb+2026&to=28+Feb+2026")
    iso = auditor.get("/ledger/journal?from=2026-02-01&to=2026-02-28")
    assert shown.status_code == iso.status_code == 200
    page = shown.get_data(as_text=True)
    assert tables(page) == tables(iso.get_data(as_text=True))
    assert 'value="1 Feb 2026"' in page
    assert 'value="28 Feb 2026"' in page
    assert "15 Feb 2026" in page  # HAVEN's payment, inside the period
    everything = auditor.get("/ledger/journal").get_data(as_text=True)
    assert tables(everything) != tables(page)  # the period was applied


def test_a_journal_date_not_understood_is_named_on_the_page(
    session: Session, users: People, signed_in: Callable[[Role], FlaskClient]
) -> None:
    write_books(session, users.brands, users.admin)
    auditor = signed_in(Role.AUDITOR)
    answer = auditor.get("/ledger/journal?from=1+Feb+2026&to=2026-31-02")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f"To: {REFUSED}" in page
    assert f"From: {REFUSED}" not in page
    assert 'value="2026-31-02"' in page  # kept, to correct
    assert 'value="1 Feb 2026"' in page  # understood, in the display format
    # the date understood still filters; the one not understood filters nothing
    since_february = auditor.get("/ledger/journal?from=2026-02-01").get_data(as_text=True)
    assert tables(page) == tables(since_february)
    assert "2026-31-02" not in "".join(re.findall(r'href="[^"]*"', page))
