"""Schemathesis over every documented operation, as each role that holds a token: 0 failures.

Every operation of ``/api/v1/openapi.json`` is called with requests generated from its own
document (valid ones and, for bodies and arguments, invalid ones), once as each of admin,
officer, approver, accountant and brand, and every answer is held to all of schemathesis's
checks: no server error, a documented status, content type and headers, a body that fits the
documented schema, invalid data refused, a 405 naming what is allowed. The run is derandomized
(the same examples every time, whatever the machine) and bounded, so it is a plain part of the
suite, not a separate fuzzing job.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select

from fund.auth.models import User
from fund.auth.roles import Role
from fund.claims.filing import file_claim
from fund.disbursements import making
from fund.entitlements.models import Entitlement
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event
from fund.events.services import create_event
from tests.disbursements.conftest import ROLL, SECRET
from tests.entitlements.helpers import stored_roll

if TYPE_CHECKING:
    from tests.conftest import People

API = "/api/v1"
ROLES = [Role.ADMIN, Role.OFFICER, Role.APPROVER, Role.ACCOUNTANT, Role.BRAND]
#: Few examples per operation, always the same ones: a check, not a search (about 50
#: operations x 5 roles; the wider, random search is `schemathesis run` against a server).
EXAMPLES = settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def known_objects(users: People) -> dict[str, Any]:
    """A roll, an event with computed entitlements, a draft batch and a claim, by path name.

    Generated ids almost never name a stored object; these let a share of the requests reach
    past the 404 into the endpoints' own rules.
    """
    session = users.session
    roll = stored_roll(session, users.factories["DHK-1"], ROLL)
    event = create_event(
        session,
        factory=users.factories["DHK-1"],
        actor=users.admin,
        kind="suspension",
        start=date(2024, 3, 1),
        end=date(2024, 4, 29),
        roll=roll,
    )
    run = compute_for_event(
        session,
        event=event,
        policy_version=policy_for(session, "alliance-wage-replacement"),
        through=None,
        actor=users.by_role[Role.OFFICER],
    )
    batch = making.create_batch(
        session, event=event, actor=users.by_role[Role.OFFICER], secret_key=SECRET
    )
    claim = file_claim(
        session,
        event=event,
        kind="not_on_roll",
        raised_by="helpline",
        raised_by_name="Operator Mitu",
        worker_name="Nasrin Akter",
        national_id="1990000000009",
        phone="+880 1711-000009",
        section="Sewing",
        description="Worked on line 4 since 2019; not paid during the suspension.",
        actor=users.by_role[Role.HELPLINE],
        today=date(2024, 5, 10),
    )
    session.flush()
    return {
        "code": "DHK-1",
        "roll_id": roll.id,
        "event_id": event.id,
        "entitlement_id": session.scalar(
            select(Entitlement.id).where(Entitlement.run_id == run.id).limit(1)
        ),
        "batch_id": batch.id,
        "line_id": batch.lines[0].id,
        "claim_id": claim.id,
    }


def uploads_a_file(operation: Any) -> bool:
    """Whether the operation takes a multipart upload."""
    return any(body.media_type == "multipart/form-data" for body in operation.body)


def check(operation: Any, headers: dict[str, str], known: dict[str, Any]) -> None:
    """Run the bounded, derandomized examples of one operation; raise what the checks find."""
    names = {parameter.name for parameter in operation.path_parameters}
    stored = {name: value for name, value in known.items() if name in names}
    if operation.path.startswith("/brands/"):
        stored["code"] = "NORD"  # a brand's code, where the other paths name a factory
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if stored:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=stored))
    # An uploaded file's content is more than a schema can say (a JPEG is "binary" too):
    # refusing an unreadable roll or result file with 422 is the documented answer.
    excluded = [positive_data_acceptance] if uploads_a_file(operation) else []

    @given(case=st.one_of(strategies))
    @EXAMPLES
    def conforms(case: Any) -> None:
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    conforms()


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
def test_every_operation_conforms_to_its_document(
    app: Flask, users: People, api_token: Callable[[User], str], role: Role
) -> None:
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    headers = {"Authorization": f"Bearer {api_token(users.by_role[role])}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    known = known_objects(users)
    failures: list[str] = []
    for operation in operations:
        try:
            check(operation, headers, known)
        except Exception as error:  # every operation's failures, in one report
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
