"""The rolls service: all or nothing, versions, cross-factory national IDs, immutability."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.rolls.models import Roll, RollWorker
from fund.rolls.services import (
    RollAlreadyImported,
    RollRejected,
    check_file,
    current_roll,
    import_roll,
    roll_rows,
    save_mapping,
)
from imports import RollUnreadable, read_roll

from .roll_files import AS_OF, roll_csv

if TYPE_CHECKING:
    from tests.conftest import People


def counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Roll)) or 0,
        session.scalar(select(func.count()).select_from(RollWorker)) or 0,
        session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
    )


def test_import_stores_every_row_as_read_with_one_audit_event(
    session: Session, users: People
) -> None:
    factory = users.factories["DHK-1"]
    data = roll_csv(5)
    before = counts(session)
    roll = import_roll(
        session,
        factory=factory,
        source=data,
        filename="march.csv",
        as_of=AS_OF,
        actor=users.by_role[users.admin.role_enum],
    )
    assert (roll.version, roll.worker_count, roll.rows_read, roll.as_of) == (1, 5, 5, AS_OF)
    assert len(roll.sha256) == 64
    assert roll.source_filename == "march.csv"
    assert counts(session) == (before[0] + 1, before[1] + 5, before[2] + 1)
    expected = read_roll(data, filename="march.csv", as_of=AS_OF).rows
    assert roll_rows(session, roll.id) == list(expected)
    assert expected[0].basic == 1_250_000
    assert expected[0].name == "শ্রমিক 1"
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert event.action == "rolls.import"
    assert event.after is not None
    assert event.after["workers"] == 5


def test_a_rejected_file_stores_nothing(session: Session, users: People) -> None:
    factory = users.factories["DHK-1"]
    before = counts(session)
    with pytest.raises(RollRejected) as rejected:
        import_roll(
            session,
            factory=factory,
            source=roll_csv(4, bad_nid_row=3),
            filename="bad.csv",
            as_of=AS_OF,
            actor=None,
        )
    assert [(p.row, p.column, p.code) for p in rejected.value.problems] == [
        (5, "NID", "bad_national_id")
    ]
    assert counts(session) == before
    with pytest.raises(RollUnreadable):
        import_roll(
            session, factory=factory, source=b"%PDF-1.4", filename="x.pdf", as_of=AS_OF, actor=None
        )
    assert counts(session) == before


def test_new_files_are_new_versions_and_the_same_file_twice_is_refused(
    session: Session, users: People
) -> None:
    factory = users.factories["DHK-1"]
    first = import_roll(
        session, factory=factory, source=roll_csv(2), filename="a.csv", as_of=AS_OF, actor=None
    )
    second = import_roll(
        session, factory=factory, source=roll_csv(3), filename="b.csv", as_of=AS_OF, actor=None
    )
    assert (first.version, second.version) == (1, 2)
    assert current_roll(session, factory) == second
    assert len(roll_rows(session, first.id)) == 2  # the older version stays as it was
    with pytest.raises(RollAlreadyImported, match="already version 2"):
        import_roll(
            session, factory=factory, source=roll_csv(3), filename="b.csv", as_of=AS_OF, actor=None
        )


def test_national_id_on_another_factorys_current_roll_is_refused(
    session: Session, users: People
) -> None:
    dhk, gzp = users.factories["DHK-1"], users.factories["GZP-2"]
    import_roll(
        session, factory=gzp, source=roll_csv(2, first=2), filename="g.csv", as_of=AS_OF, actor=None
    )
    with pytest.raises(RollRejected) as rejected:
        import_roll(
            session, factory=dhk, source=roll_csv(2), filename="d.csv", as_of=AS_OF, actor=None
        )
    assert [(p.row, p.code) for p in rejected.value.problems] == [(4, "duplicate_national_id")]
    assert "GZP-2" in rejected.value.problems[0].message
    # GZP-2's newer roll no longer lists that worker: only current rolls count.
    import_roll(
        session,
        factory=gzp,
        source=roll_csv(1, first=9),
        filename="g2.csv",
        as_of=AS_OF,
        actor=None,
    )
    assert (
        import_roll(
            session, factory=dhk, source=roll_csv(2), filename="d.csv", as_of=AS_OF, actor=None
        ).worker_count
        == 2
    )


def test_an_import_from_a_check_does_not_read_the_file_again(
    session: Session, users: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    dhk, gzp = users.factories["DHK-1"], users.factories["GZP-2"]
    checked = check_file(session, factory=dhk, source=roll_csv(3), filename="d.csv", as_of=AS_OF)
    assert checked.reading.accepted == 3
    elsewhere = check_file(
        session, factory=gzp, source=roll_csv(1, first=2), filename="g.csv", as_of=AS_OF
    )
    import fund.rolls.services as services

    def no_reading(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the file was read again")

    monkeypatch.setattr(services, "read_roll", no_reading)
    monkeypatch.setattr(services, "read_bytes", no_reading)
    with pytest.raises(ValueError, match="another factory"):
        import_roll(
            session, factory=gzp, checked=checked, filename="d.csv", as_of=AS_OF, actor=None
        )
    # A roll stored elsewhere since the check is still seen (checked again under the lock).
    import_roll(session, factory=gzp, checked=elsewhere, filename="g.csv", as_of=AS_OF, actor=None)
    with pytest.raises(RollRejected) as rejected:
        import_roll(
            session, factory=dhk, checked=checked, filename="d.csv", as_of=AS_OF, actor=None
        )
    assert [p.code for p in rejected.value.problems] == ["duplicate_national_id"]


def test_saved_column_mapping_is_used(session: Session, users: People) -> None:
    factory = users.factories["DHK-1"]
    data = roll_csv(2).replace(b"Card No", b"Token Number")
    with pytest.raises(RollUnreadable, match="no column for Worker ID"):
        import_roll(
            session, factory=factory, source=data, filename="t.csv", as_of=AS_OF, actor=None
        )
    save_mapping(session, factory=factory, header="Token  Number", field="worker_id", actor=None)
    roll = import_roll(
        session, factory=factory, source=data, filename="t.csv", as_of=AS_OF, actor=None
    )
    assert [r.worker_id for r in roll_rows(session, roll.id)] == ["W0001", "W0002"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE roll_workers SET name = 'changed'",
        "DELETE FROM roll_workers",
        "UPDATE rolls SET version = 9",
        "DELETE FROM rolls",
    ],
)
def test_stored_rolls_are_immutable(session: Session, users: People, statement: str) -> None:
    import_roll(
        session,
        factory=users.factories["DHK-1"],
        source=roll_csv(1),
        filename="a.csv",
        as_of=AS_OF,
        actor=None,
    )
    session.flush()
    with pytest.raises(DBAPIError, match="immutable"), session.begin_nested():
        session.execute(text(statement))


def test_optional_roll_fields_are_stored_and_read_back(session: Session, users: People) -> None:
    factory = users.factories["DHK-1"]
    lines = roll_csv(2).decode("utf-8").split("\r\n")
    lines[1] += ",Routing No,Worker Class,Arrears,EL Days,Festival Bonus,OT Amount"
    lines[2] += ',090261725,probationer,"1,250.50",14,8000,312'
    lines[3] += ",,,,,,"
    data = "\r\n".join(lines).encode("utf-8")
    roll = import_roll(
        session,
        factory=factory,
        source=data,
        filename="m.csv",
        as_of=AS_OF,
        actor=users.by_role[users.admin.role_enum],
    )
    stored = roll_rows(session, roll.id)
    assert stored == list(read_roll(data, filename="m.csv", as_of=AS_OF).rows)
    first, second = stored
    assert (first.routing_number, first.worker_class, first.arrears_due) == (
        "090261725",
        "probationer",
        125050,
    )
    assert (first.earned_leave_days, first.festival_bonus_due, first.overtime_due) == (
        14,
        800000,
        31200,
    )
    assert (second.worker_class, second.arrears_due, second.earned_leave_days) == (None, None, None)
