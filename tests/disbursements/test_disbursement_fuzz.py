"""The batch endpoints fuzzed from the OpenAPI document: no 5xx, every answer as documented."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings

from fund.auth.models import User
from fund.auth.roles import Role
from fund.disbursements.making import create_batch
from tests.disbursements.conftest import SECRET, World

API = "/api/v1"
FUZZ = settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.mark.slow
@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICER, Role.BRAND], ids=str)
def test_batch_endpoints_answer_generated_requests_as_documented(
    app: Flask, world: World, api_token: Callable[[User], str], role: Role
) -> None:
    # A real draft batch (id 1 on a fresh database), so some generated ids find one.
    create_batch(world.session, event=world.event, actor=world.officer, secret_key=SECRET)
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    user = world.people.admin if role is Role.ADMIN else world.people.by_role[role]
    headers = {"Authorization": f"Bearer {api_token(user)}"}
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())
        if operation.path.startswith(("/batches", "/float")) or operation.path.endswith("/batches")
    ]
    assert len(operations) >= 14

    for operation in operations:

        @given(case=operation.as_strategy())
        @FUZZ
        def answers_as_documented(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            case.validate_response(response, headers=headers)

        answers_as_documented()
