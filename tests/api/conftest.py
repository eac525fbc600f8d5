"""Fixtures of the API tests: the OpenAPI document and a bearer header per role."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask.testing import FlaskClient

from fund.auth.roles import Role

if TYPE_CHECKING:
    from tests.conftest import People

API = "/api/v1"


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json  # type: ignore[assignment]
    return document


@pytest.fixture
def headers(users: People, api_token: Callable[..., str]) -> Callable[[Role], dict[str, str]]:
    cache: dict[Role, dict[str, str]] = {}

    def for_role(role: Role) -> dict[str, str]:
        if role not in cache:
            cache[role] = {"Authorization": f"Bearer {api_token(users.by_role[role])}"}
        return cache[role]

    return for_role
