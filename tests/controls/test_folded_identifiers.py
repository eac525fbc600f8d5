"""One meaning per identifier: a national ID written in any script's digits is the same person
to the duplicate hold and to the double-payment guard (issue 15), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.auth.roles import Role
from fund.claims.matching import national_id_key, phone_key
from fund.controls.models import PaymentClaim
from fund.disbursements.making import create_batch
from fund.disbursements.services import DoublePaymentRefused, NothingToPay
from fund.entitlements.models import Entitlement
from fund.entitlements.policy_versions import policy_for
from fund.entitlements.services import compute_for_event, latest_run
from fund.events.models import Event
from fund.events.services import create_event
from fund.rolls.models import Roll, RollWorker
from tests.disbursements.conftest import SECRET
from tests.entitlements.helpers import stored_roll

if TYPE_CHECKING:
    from tests.conftest import People

HEADER = (
    "worker_id,name,national_id,section,join_date,exit_date,basic,house_rent,medical,"
    "transport,food,payment_method,wallet_number,bank_account\n"
)
ASCII_NID = "1977000000101"
#: The same national ID as ASCII_NID, as wage sheets write it.
FORMS = {
    "bengali": "১৯৭৭০০০০০০১০১",
    "arabic_indic": "١٩٧٧٠٠٠٠٠٠١٠١",
    "fullwidth": "１９７７００００００１０１",
    "superscript": "197700000010¹",
    "mixed": "১٩７7 000-000 1⁰1",
}


def line(worker: str, national_id: str, *, method: str = "cash", wallet: str = "") -> str:
    return (
        f"{worker},Worker {worker},{national_id},Sewing,2019-08-01,,6700,3350,750,450,1250,"
        f"{method},{wallet},\n"
    )


def computed(session: Session, people: People, roll: Roll, start: date, end: date) -> Event:
    event = create_event(
        session,
        factory=people.factories["DHK-1"],
        actor=people.admin,
        kind="suspension",
        start=start,
        end=end,
        roll=roll,
    )
    compute_for_event(
        session,
        event=event,
        policy_version=policy_for(session, "alliance-wage-replacement"),
        through=None,
        actor=people.by_role[Role.OFFICER],
    )
    return event


def held(session: Session, event: Event) -> dict[str, str | None]:
    run = latest_run(session, event)
    assert run is not None
    return dict(
        session.execute(
            select(Entitlement.worker_id, Entitlement.reason).where(Entitlement.run_id == run.id)
        ).all()  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("form", list(FORMS))
def test_a_folded_national_id_is_held_as_a_duplicate(
    session: Session, users: People, form: str
) -> None:
    text = HEADER + line("A-1", ASCII_NID) + line("A-2", FORMS[form]) + line("A-3", "1977000000102")
    roll = stored_roll(session, users.factories["DHK-1"], text)
    stored = session.scalars(
        select(RollWorker.national_id).where(RollWorker.roll_id == roll.id).order_by(RollWorker.row)
    ).all()
    assert stored == [ASCII_NID, ASCII_NID, "1977000000102"]  # stored folded
    event = computed(session, users, roll, date(2024, 3, 1), date(2024, 4, 29))
    reasons = held(session, event)
    assert reasons["A-1"] == reasons["A-2"] == "duplicate_national_id"
    assert reasons["A-3"] is None


@pytest.mark.parametrize("form", list(FORMS))
def test_the_double_payment_guard_counts_one_person(
    session: Session, users: People, form: str
) -> None:
    officer = users.by_role[Role.OFFICER]
    first = stored_roll(session, users.factories["DHK-1"], HEADER + line("A-1", ASCII_NID))
    paid = computed(session, users, first, date(2024, 3, 1), date(2024, 4, 29))
    create_batch(session, event=paid, actor=officer, secret_key=SECRET)
    # The next roll has the same person under a new worker ID, the ID typed in another script.
    second = stored_roll(session, users.factories["DHK-1"], HEADER + line("Z-9", FORMS[form]))
    overlapping = computed(session, users, second, date(2024, 4, 1), date(2024, 5, 31))
    with pytest.raises(DoublePaymentRefused, match="Z-9"):
        create_batch(session, event=overlapping, actor=officer, secret_key=SECRET)
    assert session.scalars(select(PaymentClaim.national_id)).all() == [ASCII_NID]


def test_claims_compare_national_ids_and_wallets_folded() -> None:
    for form in FORMS.values():
        assert national_id_key(form) == ASCII_NID
    assert national_id_key("NID 1977000000101") == ""  # refused, not stripped to digits
    assert phone_key("+৮৮০ ১৭১১-০০০০০১") == "01711000001"
    assert phone_key("01211000001") == ""


def test_missing_payment_details_import_and_are_held_out_of_batches(
    session: Session, users: People
) -> None:
    text = (
        HEADER
        + line("M-1", "1990000000001", method="bkash", wallet="01711000001")
        + line("M-2", "1990000000002", method="bkash")
        + "B-3,Worker B-3,1990000000003,Sewing,2019-08-01,,6700,3350,750,450,1250,bank,,\n"
    )
    roll = stored_roll(session, users.factories["DHK-1"], text)
    event = computed(session, users, roll, date(2024, 3, 1), date(2024, 4, 29))
    assert held(session, event) == {"M-1": None, "M-2": None, "B-3": None}  # computed
    officer = users.by_role[Role.OFFICER]
    batch = create_batch(session, event=event, actor=officer, secret_key=SECRET)
    assert [line.worker_id for line in batch.lines] == ["M-1"]
    history = " ".join(t.note for t in batch.transitions)
    assert "missing_payment_details: 2 worker(s) (B-3, M-2)" in history
    with pytest.raises(NothingToPay, match="missing_payment_details"):
        create_batch(session, event=event, actor=officer, secret_key=SECRET)
