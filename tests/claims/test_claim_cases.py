"""Case handling: calls with or without a claim, notes, callbacks, reopening, referral outcomes,
the filing window, search, and who may open a claim's files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from fund.audit.models import AuditEvent
from fund.auth.roles import Role
from fund.claims import attachments, cases, deciding, followups, persons, reporting, services
from fund.claims.models import Claim, ClaimCall
from tests.claims.conftest import MISSING_NID, SECRET, World, missing_worker, nasrin_claim

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.conftest import People

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def audited(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def test_a_phone_only_call_is_logged_and_becomes_a_claim_once_her_id_is_found(
    world: World, session: Session, users: People
) -> None:
    helpline = users.by_role[Role.HELPLINE]
    # She has no card with her and her factory's event is not known: still logged.
    first = cases.log_call(
        session, actor=helpline, caller_name="Nasrin", phone="+880 1711-000009",
        factory=users.factories["DHK-1"], question="Was I paid for the suspension?",
        answer="Call back with your national ID card number.", callback_on=date(2024, 5, 12),
    )  # fmt: skip
    assert (first.phone, first.national_id, first.event_id, first.claim_id) == (
        "01711000009", "", None, None,
    )  # fmt: skip
    assert first.callback_owner_id == helpline.id
    with pytest.raises(services.ClaimInvalid, match="what the caller was told"):
        cases.log_call(session, actor=helpline, caller_name="X", question="?", answer=" ")
    second = cases.log_call(
        session, actor=helpline, caller_name="Nasrin Akter", phone="01711000009",
        question="I found my card", answer="Filing your claim now",
    )  # fmt: skip
    claim = followups.claim_from_call(
        session, call=second, event=world.event, kind="not_on_roll", national_id=MISSING_NID,
        actor=helpline, today=date(2024, 5, 12),
    )  # fmt: skip
    # Both calls from her phone now belong to the claim.
    assert [call.id for call in cases.calls_of(session, claim)] == [first.id, second.id]
    assert claim.phone == "01711000009"
    assert "I found my card" in claim.description
    assert len(audited(session, "claims.call")) == 2
    assert len(audited(session, "claims.from_call")) == 1
    with pytest.raises(cases.CaseRefused, match="already belongs to a claim"):
        followups.claim_from_call(
            session, call=second, event=world.event, kind="other", national_id=MISSING_NID,
            actor=helpline,
        )  # fmt: skip


def test_notes_and_callbacks_belong_to_the_case(
    world: World, session: Session, users: People
) -> None:
    helpline = users.by_role[Role.HELPLINE]
    claim = nasrin_claim(world, session, users)
    cases.add_note(session, claim=claim, body="Sister answered; call after 6 pm", actor=helpline)
    assert [n.body for n in cases.notes_of(session, claim)] == ["Sister answered; call after 6 pm"]
    cases.set_callback(session, claim=claim, on=date(2024, 5, 14), owner=helpline, actor=helpline)
    assert cases.callbacks_due(session, owner=helpline, today=date(2024, 5, 13)) == []
    assert cases.callbacks_due(session, owner=helpline, today=date(2024, 5, 14)) == [claim]
    with pytest.raises(services.ClaimInvalid, match="does not call workers"):
        cases.set_callback(
            session, claim=claim, on=date(2024, 5, 14), owner=world.approver, actor=helpline
        )


def test_a_referral_is_decided_when_it_comes_back_and_then_may_be_reopened(
    world: World, session: Session, users: People
) -> None:
    claim = nasrin_claim(world, session, users, kind="other", today=date(2024, 5, 10))
    deciding.refer_claim(
        session, claim=claim, actor=world.officer, referred_to="Review panel",
        note="The panel decides overtime questions.",
    )  # fmt: skip
    report = reporting.report(session, today=date(2024, 5, 11))
    assert (report.decided, report.referrals_waiting) == (0, 1)
    with pytest.raises(cases.CaseRefused, match="has not come back"):
        followups.reopen_claim(session, claim=claim, actor=world.officer, reason="?")
    cases.record_referral_outcome(
        session, claim=claim, outcome="upheld", note="The panel found 6 days unpaid.",
        actor=world.officer,
    )  # fmt: skip
    report = reporting.report(session, today=date(2024, 5, 11))
    assert (report.decided, report.referrals_waiting, report.referrals["upheld"]) == (1, 0, 1)
    assert "came back from Review panel: upheld. The panel found 6 days unpaid." in (
        reporting.outcome_text(claim)
    )
    with pytest.raises(cases.CaseRefused, match="already came back"):
        cases.record_referral_outcome(
            session, claim=claim, outcome="withdrawn", note="", actor=world.officer
        )
    again = followups.reopen_claim(
        session, claim=claim, actor=world.officer, reason="Panel upheld it",
        today=date(2024, 5, 20),
    )  # fmt: skip
    assert (again.status, again.reopened_from_id, again.national_id) == (
        "open", claim.id, claim.national_id,
    )  # fmt: skip
    assert again.description.startswith(f"Reopens {claim.reference}: Panel upheld it")
    with pytest.raises(cases.CaseRefused, match=f"already reopened as {again.reference}"):
        followups.reopen_claim(session, claim=claim, actor=world.officer, reason="again")


def test_a_claim_filed_after_the_window_is_flagged_and_accepted_only_with_a_reason(
    paid_world: World, session: Session, users: People
) -> None:
    world = paid_world  # the suspension ended on 29 April 2024
    window = cases.filing_window(session, event=world.event)
    assert (window.days, window.closes, window.own) == (365, date(2025, 4, 29), False)
    on_time = nasrin_claim(world, session, users, today=date(2025, 4, 29))
    assert not on_time.late
    deciding.reject_claim(session, claim=on_time, actor=world.officer, reason="No record")
    cases.set_filing_window(session, event=world.event, days=90, actor=world.officer)
    late = nasrin_claim(world, session, users, today=date(2024, 9, 15))  # 139 days after
    assert late.late
    with pytest.raises(services.ClaimInvalid, match="say why it is accepted late"):
        deciding.accept_claim(
            session, claim=late, actor=world.officer, secret_key=SECRET, worker=missing_worker()
        )
    deciding.accept_claim(
        session, claim=late, actor=world.officer, secret_key=SECRET, worker=missing_worker(),
        note="Late: she was in hospital; factory letter of 10 Sept",
    )  # fmt: skip
    accepted = audited(session, "claims.accept")[-1]
    assert accepted.after is not None
    assert accepted.after["late"] == "filed after the event's filing window"
    assert reporting.report(session, today=date(2024, 9, 16)).late_filed == 1


def test_search_by_phone_national_id_of_any_form_name_and_reference_in_pages(
    paid_world: World, session: Session, users: People
) -> None:
    world = paid_world
    claim = nasrin_claim(world, session, users)
    for number in range(60):
        nasrin_claim(
            world, session, users, kind="other", worker_name=f"Worker {number}",
            national_id=f"19911111{number:05d}", phone="",
        )  # fmt: skip
    assert cases.search(session, text="+880 1711 000009").items == [claim]
    assert cases.search(session, text=MISSING_NID).items == [claim]
    assert cases.search(session, text=claim.reference).items == [claim]
    assert cases.search(session, text="nasrin").items == [claim]
    persons.confirm_same_person(
        session, national_id="4612345678", same_as=MISSING_NID, actor=world.officer,
        evidence="Both cards seen",
    )  # fmt: skip
    assert cases.search(session, text="4612345678").items == [claim]
    first = cases.search(session, page=1)
    second = cases.search(session, page=2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (61, 2, 50, 11)
    assert {c.id for c in first.items}.isdisjoint({c.id for c in second.items})
    assert cases.search(session, text="Worker 1").total == 11  # 1, 10–19


def test_viewing_an_attachment_is_audited_and_the_helpline_sees_only_its_own_cases(
    world: World, session: Session, users: People, tmp_path: Path
) -> None:
    from fund.auth.models import User
    from fund.auth.services import create_user

    mitu = users.by_role[Role.HELPLINE]
    claim = nasrin_claim(world, session, users, actor=mitu)
    photo = attachments.add_attachment(
        session, claim=claim, data=PNG, filename="nid.png", folder=tmp_path, actor=mitu
    )
    other, _ = create_user(session, username="helpline2", role=Role.HELPLINE, actor=users.admin)
    assert isinstance(other, User)
    cases.open_attachment(session, claim=claim, attachment=photo, actor=mitu)
    cases.open_attachment(session, claim=claim, attachment=photo, actor=world.officer)
    with pytest.raises(cases.CaseRefused, match="not handling claim"):
        cases.open_attachment(session, claim=claim, attachment=photo, actor=other)
    # Taking a call about the claim makes it theirs to handle.
    cases.log_call(
        session, actor=other, caller_name="Nasrin", question="Any news?", answer="Not yet",
        claim=claim,
    )  # fmt: skip
    cases.open_attachment(session, claim=claim, attachment=photo, actor=other)
    viewed = audited(session, "claims.attachment_viewed")
    assert [v.actor_id for v in viewed] == [mitu.id, world.officer.id, other.id]
    assert session.scalar(select(ClaimCall.claim_id).where(ClaimCall.taken_by_id == other.id)) == (
        claim.id
    )
    assert session.get(Claim, claim.id) is claim
