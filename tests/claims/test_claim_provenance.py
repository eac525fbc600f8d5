"""The approver's batch page shows the claim behind each line and who acknowledged its findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask.testing import FlaskClient

from fund.claims import deciding
from fund.claims.provenance import claims_in_batch
from fund.controls.models import RollFinding
from fund.controls.roll_review import acknowledge
from tests.claims.conftest import SECRET, World, missing_worker, nasrin_claim

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.conftest import People


def test_the_batch_page_shows_the_claim_and_who_acknowledged_its_findings(
    paid_world: World,
    session: Session,
    users: People,
    app: Flask,
    login: Callable[..., Any],
) -> None:
    world = paid_world
    claim = nasrin_claim(world, session, users)
    deciding.accept_claim(
        session, claim=claim, actor=world.officer, secret_key=SECRET, note="Factory letter",
        worker=missing_worker(),
    )  # fmt: skip
    assert claim.batch_id is not None
    added = session.query(RollFinding).filter_by(roll_id=claim.roll_id, code="added_since_previous")
    finding = added.one()
    # The officer who accepted the claim also waves its finding through: the approver is told.
    acknowledge(session, finding=finding, actor=world.officer, note="Factory letter seen")
    shown = claims_in_batch(session, batch_id=claim.batch_id)
    assert [(c.reference, c.worker_id, c.decided_by) for c in shown] == [
        (claim.reference, "M-9", world.officer.username)
    ]
    assert [(f.severity, f.acknowledged_by, f.by_the_decider) for f in shown[0].findings] == [
        ("medium", world.officer.username, True)
    ]
    session.commit()
    approver: FlaskClient = app.test_client()
    assert login(approver, "approver").status_code == 302
    page = approver.get(f"/batches/{claim.batch_id}").get_data(as_text=True)
    assert claim.reference in page
    assert "Factory letter seen" in page
    assert "(the officer who accepted the claim)" in page
    # A batch no claim made has no such section.
    other = approver.get(f"/batches/{claim.batch_id - 1}").get_data(as_text=True)
    assert "Lines that come from claims" not in other
