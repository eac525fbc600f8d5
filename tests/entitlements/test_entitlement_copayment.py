"""Co-payment in the books: the factory's advanced share is a receivable, paid down, stated.

Three grade-5 workers (gross 12,500) suspended 60 calendar days under ``alliance-wage-share``:
each is owed 60 × 12,500 / 30 = 25,000; the fund's half is 12,500 and the factory's 12,500.
The fund advances the whole, so a batch pays 3 × 25,000 = 75,000 and the factory owes
3 × 12,500 = 37,500 (on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.orm import Session

from fund.auth.models import Role
from fund.disbursements.approving import approve, submit
from fund.disbursements.making import create_batch
from fund.entitlements.copayment import (
    FactoryPaymentRefused,
    factory_share_statement,
    record_factory_payment,
)
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.services import create_event
from ledger import account
from ledger.queries import balance, trial_balance
from tests.disbursements.test_batches import APPROVED_ON, SECRET, fund_the_bank

from .helpers import POLICIES, grade5, taka

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask.testing import FlaskClient

    from fund.events.models import Event
    from tests.conftest import People


def shared_event(session: Session, users: People, policy_text: str | None = None) -> Event:
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        actor=users.admin,
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 4, 29),
    )
    if policy_text is None:
        version = policy_for(session, "alliance-wage-share")
    else:
        from fund.entitlements.policy_versions import register_policy

        version = register_policy(session, text=policy_text, actor=users.admin)
    compute_for_event(
        session,
        event=event,
        policy_version=version,
        through=None,
        actor=users.by_role[Role.OFFICER],
        rows=[
            grade5(row=2 + n, worker_id=f"W-{n}", national_id=f"{1000000000 + n}") for n in range(3)
        ],
    )
    return event


def approved(session: Session, users: People, event: Event) -> None:
    batch = create_batch(session, event=event, actor=users.by_role[Role.OFFICER], secret_key=SECRET)
    submit(session, batch=batch, actor=users.by_role[Role.OFFICER])
    approve(session, batch=batch, actor=users.by_role[Role.APPROVER], on=APPROVED_ON)
    # approving again (a double click) books nothing more
    approve(session, batch=batch, actor=users.by_role[Role.APPROVER], on=APPROVED_ON)
    assert batch.total_minor == taka(75_000)  # the fund advances the whole


def test_the_advanced_share_is_owed_by_the_factory(session: Session, users: People) -> None:
    fund_the_bank(session, taka(100_000))
    event = shared_event(session, users)
    approved(session, users, event)
    factory = users.factories["DHK-1"]
    receivable = account(session, "1200", currency="BDT", factory="DHK-1")
    expense = account(session, "5000", currency="BDT", factory="DHK-1", event=str(event.id))
    # 3 × 12,500 owed by the factory; the fund's own cost is its half, 75,000 - 37,500
    assert balance(session, receivable) == taka(37_500)
    assert balance(session, expense) == taka(37_500)
    assert trial_balance(session).balanced
    record_factory_payment(
        session, factory=factory, amount_minor=taka(10_000), on=date(2024, 6, 1),
        reference="DBBL-7781", actor=users.admin,
    )  # fmt: skip
    with pytest.raises(FactoryPaymentRefused, match=r"owes 27,500\.00"):
        record_factory_payment(
            session, factory=factory, amount_minor=taka(30_000), on=date(2024, 6, 2),
            reference="DBBL-7782", actor=users.admin,
        )  # fmt: skip
    shown = factory_share_statement(session, factory=factory)
    # owed 37,500, paid 10,000, still owed 27,500: each figure is the 1200 account's
    assert (shown.owed_minor, shown.paid_minor, shown.still_owed_minor) == (
        taka(37_500),
        taka(10_000),
        taka(27_500),
    )
    assert shown.still_owed_minor == balance(session, receivable)
    assert [row.still_owed_minor for row in shown.rows] == [taka(37_500), taka(27_500)]
    assert shown.owed_to_workers_minor == 0


def test_a_share_not_advanced_is_owed_to_the_workers(session: Session, users: People) -> None:
    fund_the_bank(session, taka(100_000))
    text = (POLICIES / "alliance-wage-share.toml").read_text(encoding="utf-8")
    event = shared_event(
        session, users, text.replace("fund_advances = true", "fund_advances = false")
    )
    batch = create_batch(session, event=event, actor=users.by_role[Role.OFFICER], secret_key=SECRET)
    assert batch.total_minor == taka(37_500)  # the fund pays its half only
    submit(session, batch=batch, actor=users.by_role[Role.OFFICER])
    approve(session, batch=batch, actor=users.by_role[Role.APPROVER], on=APPROVED_ON)
    factory = users.factories["DHK-1"]
    assert balance(session, account(session, "1200", currency="BDT", factory="DHK-1")) == 0
    shown = factory_share_statement(session, factory=factory)
    assert (shown.owed_minor, shown.owed_to_workers_minor) == (0, taka(37_500))


def test_the_factory_page_shows_the_statement(
    session: Session, users: People, client: FlaskClient, login: Callable[..., object]
) -> None:
    fund_the_bank(session, taka(100_000))
    approved(session, users, shared_event(session, users))
    record_factory_payment(
        session, factory=users.factories["DHK-1"], amount_minor=taka(10_000),
        on=date(2024, 6, 1), reference="DBBL-9", actor=users.admin,
    )  # fmt: skip
    session.flush()
    login(client, "officer")
    page = client.get("/factories/DHK-1").get_data(as_text=True)
    assert "Still owed" in page
    for figure in ("37,500.00", "10,000.00", "27,500.00"):
        assert figure in page


def test_the_sheet_shows_the_factory_part(session: Session, users: People) -> None:
    import io

    from openpyxl import load_workbook

    from fund.disbursements.models import DisbursementBatch
    from fund.disbursements.outputs import sheet_header, sheet_rows
    from fund.disbursements.sheets import build_sheet_xlsx

    fund_the_bank(session, taka(100_000))
    event = shared_event(session, users)
    approved(session, users, event)
    batch = session.query(DisbursementBatch).filter_by(event_id=event.id).one()
    rows = sheet_rows(session, batch)
    assert [row.factory_share_minor for row in rows] == [taka(12_500)] * 3
    sheet = load_workbook(io.BytesIO(build_sheet_xlsx(sheet_header(batch), rows))).active
    assert sheet is not None
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "Factory's part (BDT)" in values
    assert values.count(12_500) == 3
    assert 37_500 in values  # the factory's total under its column
