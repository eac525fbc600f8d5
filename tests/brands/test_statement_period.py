"""A statement's period is bounded by the books: not after today, not before the first entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient

from fund.auth.models import User
from fund.auth.roles import Role
from fund.brands.services import PeriodInvalid, statement_period
from fund.db import utcnow
from tests.conftest import People

TODAY = date(2026, 12, 2)


def test_the_period_ends_by_today_and_starts_no_earlier_than_the_books() -> None:
    first = date(2026, 1, 10)
    assert statement_period(None, None, today=TODAY, first=first) == (None, TODAY)
    assert statement_period(date(1900, 1, 1), None, today=TODAY, first=first) == (first, TODAY)
    with pytest.raises(PeriodInvalid, match="after today"):
        statement_period(None, date(9999, 12, 31), today=TODAY, first=first)
    with pytest.raises(PeriodInvalid, match="starts after it ends"):
        statement_period(date(2026, 5, 1), date(2026, 4, 1), today=TODAY, first=first)


def test_the_api_refuses_a_statement_to_the_end_of_time(
    client: FlaskClient, users: People, api_token: Callable[[User], str]
) -> None:
    token = {"Authorization": f"Bearer {api_token(users.by_role[Role.AUDITOR])}"}
    for suffix in ("", ".pdf", ".xlsx"):
        answer = client.get(f"/api/v1/brands/NORD/statement{suffix}?to=9999-12-31", headers=token)
        assert answer.status_code == 400
        assert "after today" in answer.get_data(as_text=True)
    tomorrow = utcnow().date() + timedelta(days=1)
    answer = client.get(f"/api/v1/brands/NORD/statement?to={tomorrow}", headers=token)
    assert answer.status_code == 400
    assert (
        client.get("/api/v1/brands/NORD/statement?from=1900-01-01", headers=token).status_code
        == 200
    )
