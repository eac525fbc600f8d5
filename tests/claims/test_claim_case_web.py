"""The case-handling steps on the claim page: each goes through its service, refusals are 400
with the reason and store nothing, and the helpline opens only the files of its own cases."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fund.audit.models import AuditEvent
from fund.auth.roles import Role
from fund.auth.services import create_user
from fund.claims.models import Claim, ClaimNote, PersonNationalId
from tests.claims.conftest import MISSING_NID, World, nasrin_claim
from tests.claims.test_claim_web import PNG, files, signed_in

__all__ = ["files"]  # the attachments-folder fixture, shared with test_claim_web

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.conftest import People


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_case_steps_on_the_page(
    app: Flask,
    world: World,
    users: People,
    session: Session,
    login: Callable[..., Any],
    form_token: Callable[[FlaskClient, str], str],
) -> None:
    claim = nasrin_claim(world, session, users, kind="other")
    session.commit()
    officer = signed_in(app, login, "officer")
    page = f"/claims/{claim.id}"
    token = form_token(officer, page)
    assert "Payments already made to this person or wallet" in officer.get(page).get_data(
        as_text=True
    )

    assert officer.post(f"{page}/notes", data={"csrf_token": token, "body": "Sister answered"})
    assert count(session, ClaimNote) == 1
    refused = officer.post(
        f"{page}/same-person",
        data={"csrf_token": token, "other_id": "12", "evidence": "Both cards"},
    )
    assert refused.status_code == 400
    assert "has 2 digits" in refused.get_data(as_text=True)
    assert count(session, PersonNationalId) == 0
    done = officer.post(
        f"{page}/same-person",
        data={"csrf_token": token, "other_id": "4612345678", "evidence": "Both cards seen"},
    )
    assert done.status_code == 302
    assert count(session, PersonNationalId) == 2
    assert "4612345678" in officer.get(page).get_data(as_text=True)
    # Linking to a worker who is not her is refused on the page, nothing kept.
    refused = officer.post(f"{page}/link", data={"csrf_token": token, "worker_id": "B-2"})
    assert refused.status_code == 400
    assert "only changes or pays its own claimant" in refused.get_data(as_text=True)
    assert session.get(Claim, claim.id).worker_id is None  # type: ignore[union-attr]
    assert (
        officer.post(f"{page}/filing-window", data={"csrf_token": token, "days": "90"}).status_code
        == 302
    )
    assert (
        officer.post(
            f"{page}/refer", data={"csrf_token": token, "referred_to": "Review panel", "note": "x"}
        ).status_code
        == 302
    )
    assert (
        officer.post(
            f"{page}/referral-outcome",
            data={"csrf_token": token, "outcome": "not_upheld", "note": "No overtime owed."},
        ).status_code
        == 302
    )
    reopened = officer.post(f"{page}/reopen", data={"csrf_token": token, "reason": "New slip"})
    assert reopened.status_code == 302
    again = session.scalar(select(Claim).where(Claim.reopened_from_id == claim.id))
    assert again is not None
    assert again.reference in officer.get(page).get_data(as_text=True)
    assert claim.reference in officer.get(f"/claims/{again.id}").get_data(as_text=True)
    report = officer.get("/claims/report").get_data(as_text=True)
    assert "Waiting for an outcome" in report
    assert "not upheld" in report
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"claims.note", "claims.same_person", "claims.filing_window",
            "claims.referral_outcome"} <= actions  # fmt: skip


def test_the_helpline_opens_only_the_files_of_its_own_cases(
    app: Flask,
    world: World,
    users: People,
    session: Session,
    login: Callable[..., Any],
    form_token: Callable[[FlaskClient, str], str],
    files: Path,
) -> None:
    create_user(
        session,
        username="helpline2",
        role=Role.HELPLINE,
        password="second desk lantern orchard",
        actor=users.admin,
    )
    helpline = signed_in(app, login, "helpline")
    token = form_token(helpline, "/claims/new")
    filed = helpline.post(
        "/claims/new",
        data={
            "csrf_token": token, "event": str(world.event.id), "kind": "not_on_roll",
            "raised_by": "helpline", "worker_name": "Nasrin Akter", "national_id": MISSING_NID,
            "phone": "01711000009", "language": "bn",
            "file": (io.BytesIO(PNG), "id-card.png"),
        },
        content_type="multipart/form-data",
    )  # fmt: skip
    assert filed.status_code == 302, filed.get_data(as_text=True)
    claim = session.scalar(select(Claim))
    assert claim is not None
    assert claim.language == "bn"
    url = f"/claims/{claim.id}/attachments/{claim.attachments[0].id}"
    assert helpline.get(url).status_code == 200
    other = app.test_client()
    assert login(other, "helpline2", "second desk lantern orchard").status_code == 302
    assert other.get(url).status_code == 403
    assert url not in other.get(f"/claims/{claim.id}").get_data(as_text=True)
    session.expire_all()
    viewed = session.scalars(
        select(AuditEvent.actor_name).where(AuditEvent.action == "claims.attachment_viewed")
    ).all()
    assert viewed == ["helpline"]
