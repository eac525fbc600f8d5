"""Every money input has a documented maximum (``fund/money_limits.py``); beyond it a clear
refusal, never a 500, and the books stay readable (the issue's two pledges of 9 × 10**16 USD)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from fund import money_limits
from fund.auth.models import User
from fund.auth.roles import Role
from fund.brands.services import BrandRecordRefused, convert_usd_to_bdt, record_pledge
from fund.disbursements.paying import transfer_to_float
from fund.disbursements.services import BatchRefused
from ledger.queries import trial_balance
from tests.conftest import People

API = "/api/v1"


def _pledge(amount: str, reference: str) -> dict[str, str]:
    return {
        "reference": reference,
        "amount": amount,
        "currency": "USD",
        "pledged_on": "2026-01-02",
        "due_date": "2026-02-28",
    }


def test_the_issues_huge_pledges_are_refused_and_the_books_stay_readable(
    client: FlaskClient, users: People, session: Session, api_token: Callable[[User], str]
) -> None:
    token = {"Authorization": f"Bearer {api_token(users.by_role[Role.OFFICER])}"}
    for n, amount in enumerate(["90000000000000000.00", "90000000000000000.00", "1e17", "1E+400"]):
        answer = client.post(
            f"{API}/brands/NORD/pledges", json=_pledge(amount, f"H-{n}"), headers=token
        )
        assert answer.status_code == 422, (amount, answer.json)
        assert "maximum" in answer.json["errors"][0]["message"] or amount == "1E+400"
    assert trial_balance(session).balanced
    auditor = {"Authorization": f"Bearer {api_token(users.by_role[Role.AUDITOR])}"}
    assert client.get(f"{API}/brands/NORD/statement", headers=auditor).status_code == 200


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(amount=st.integers(min_value=1, max_value=10**40), cents=st.integers(0, 99))
def test_no_pledge_amount_answers_500(
    client: FlaskClient, users: People, api_token: Callable[[User], str], amount: int, cents: int
) -> None:
    token = {"Authorization": f"Bearer {api_token(users.by_role[Role.OFFICER])}"}
    answer = client.post(
        f"{API}/brands/NORD/pledges",
        json=_pledge(f"{amount}.{cents:02d}", f"P-{amount}-{cents}"),
        headers=token,
    )
    within = amount * 100 + cents <= money_limits.PLEDGE
    assert answer.status_code == (201 if within else 422), answer.json


def test_services_refuse_past_the_maximum_and_accept_it(users: People, session: Session) -> None:
    brand = users.brands["NORD"]
    kwargs = {"currency": "USD", "pledged_on": date(2026, 1, 2), "due_date": date(2026, 2, 1)}
    with pytest.raises(BrandRecordRefused, match=r"maximum of 1,000,000,000\.00 USD"):
        record_pledge(
            session, brand=brand, reference="big", amount=money_limits.PLEDGE + 1,
            actor=users.admin, **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip
    record_pledge(
        session, brand=brand, reference="max", amount=money_limits.PLEDGE, actor=users.admin,
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip
    with pytest.raises(BrandRecordRefused, match="a conversion"):
        convert_usd_to_bdt(
            session, amount=money_limits.CONVERSION + 1, rate=Decimal("110"),
            effective_date=date(2026, 3, 1), reference="fx-big", actor=users.admin,
        )  # fmt: skip
    with pytest.raises(BatchRefused, match="a float transfer"):
        transfer_to_float(
            session, amount_minor=money_limits.BATCH + 1, actor=users.admin, on=date(2026, 3, 1)
        )


def test_the_float_api_documents_its_maximum(
    client: FlaskClient, users: People, api_token: Callable[[User], str]
) -> None:
    token = {"Authorization": f"Bearer {api_token(users.by_role[Role.ACCOUNTANT])}"}
    answer = client.post(f"{API}/float", json={"amount": "99999999999.00"}, headers=token)
    assert answer.status_code == 422
    assert "at most" in answer.json["errors"][0]["message"]
