"""Rules for rolls: check a file against the fund's other rolls, store it whole, read it back."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from dbtools.bulk import insert_rows
from fund.audit.services import record
from fund.auth.models import User
from fund.factories.models import Factory
from fund.rolls.models import ColumnMapping, Roll, RollWorker
from fund.rolls.signals import roll_stored
from imports import FIELDS, Limits, Problem, RollReading, RollRow, RollUnreadable, read_roll
from imports.allocation import cycle_collection_paused
from imports.identifiers import national_id_key
from imports.sources import read_bytes
from imports.vocabulary import normalise_header

#: Rows per INSERT batch: big enough to be fast, small enough for a moving progress bar.
BATCH_ROWS = 10_000
_ROW_FIELDS = tuple(field.name for field in dataclasses.fields(RollRow))
_row_values = attrgetter(*_ROW_FIELDS)
ROLL_WORKERS: Table = RollWorker.__table__  # type: ignore[assignment]


class RollRejected(Exception):
    """The roll has errors; nothing was stored. ``problems`` says where and why."""

    def __init__(self, reading: RollReading) -> None:
        errors = len(reading.errors)
        super().__init__(f"roll rejected: {errors} error(s) in {reading.rejected} row(s)")
        self.reading = reading
        self.problems: tuple[Problem, ...] = reading.problems


class ExitDatesUnconfirmed(Exception):
    """The roll has no exit-date column and the officer has not confirmed that nobody left."""

    def __init__(self, reading: RollReading) -> None:
        super().__init__(
            "the roll has no exit-date column: confirm that nobody on it has left"
            " (or add the column), then import it again"
        )
        self.reading = reading
        self.problems: tuple[Problem, ...] = reading.problems


def lacks_exit_dates(reading: RollReading) -> bool:
    """Whether importing the roll needs the officer's word that nobody on it has left."""
    return any(problem.code == "no_exit_date_column" for problem in reading.problems)


def refuse_unless_importable(reading: RollReading, *, nobody_left: bool) -> None:
    """Raise ``RollRejected`` (errors) or ``ExitDatesUnconfirmed`` unless the roll may be stored."""
    if reading.has_errors:
        raise RollRejected(reading)
    if lacks_exit_dates(reading) and not nobody_left:
        raise ExitDatesUnconfirmed(reading)


class RollAlreadyImported(Exception):
    """The very same file is already the factory's current roll for that date."""

    def __init__(self, roll: Roll) -> None:
        super().__init__(
            f"this file is already version {roll.version} of {roll.factory.code}'s roll"
            f" as of {roll.as_of:%d/%m/%Y}"
        )
        self.roll = roll


def factory_by_code(session: Session, code: str) -> Factory | None:
    """The factory with ``code``, or ``None``."""
    return session.scalar(select(Factory).where(Factory.code == code))


def saved_mapping(session: Session, factory: Factory) -> dict[str, str]:
    """The factory's remembered ``{header text: field}`` for headers no synonym knows."""
    rows = session.execute(
        select(ColumnMapping.header, ColumnMapping.field).where(
            ColumnMapping.factory_id == factory.id
        )
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def save_mapping(
    session: Session, *, factory: Factory, header: str, field: str, actor: User | None
) -> ColumnMapping:
    """Remember that ``header`` in this factory's rolls means ``field`` (replacing any earlier)."""
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}")
    key = normalise_header(header)
    if not key:
        raise ValueError("the header text is empty")
    mapping = session.scalar(
        select(ColumnMapping).where(
            ColumnMapping.factory_id == factory.id, ColumnMapping.header == key
        )
    )
    before = {"header": key, "field": mapping.field} if mapping is not None else None
    if mapping is None:
        mapping = ColumnMapping(factory_id=factory.id, header=key, field=field)
        session.add(mapping)
    else:
        mapping.field = field
    session.flush()
    record(
        session,
        actor=actor,
        action="rolls.map_column",
        object_type="factory",
        object_id=factory.code,
        before=before,
        after={"header": key, "field": field},
    )
    return mapping


def current_roll(session: Session, factory: Factory) -> Roll | None:
    """The factory's newest roll version, or ``None``."""
    return session.scalar(
        select(Roll).where(Roll.factory_id == factory.id).order_by(Roll.version.desc()).limit(1)
    )


def _current_rolls_elsewhere(session: Session, factory: Factory) -> frozenset[int]:
    """The ids of the other factories' current (newest) roll versions."""
    newest = (
        select(Roll.factory_id, func.max(Roll.version).label("version"))
        .where(Roll.factory_id != factory.id)
        .group_by(Roll.factory_id)
        .subquery()
    )
    return frozenset(
        session.scalars(
            select(Roll.id).join(
                newest,
                (Roll.factory_id == newest.c.factory_id) & (Roll.version == newest.c.version),
            )
        )
    )


def check_roll(
    session: Session,
    *,
    factory: Factory,
    source: Path | bytes,
    filename: str,
    as_of: date,
    limits: Limits | None = None,
) -> RollReading:
    """Read the file with the factory's saved mapping and check it against other factories."""
    return _read_and_check(session, factory, source, filename, as_of, limits)[0]


def _read_and_check(
    session: Session,
    factory: Factory,
    source: Path | bytes,
    filename: str,
    as_of: date,
    limits: Limits | None,
) -> tuple[RollReading, frozenset[int]]:
    """The reading, and the other factories' current rolls it was checked against."""
    reading = read_roll(
        source,
        filename=filename,
        column_mapping=saved_mapping(session, factory),
        limits=limits,
        as_of=as_of,
    )
    elsewhere = _current_rolls_elsewhere(session, factory)
    return _against_other_factories(session, factory, reading, elsewhere), elsewhere


@dataclass(frozen=True, slots=True)
class CheckedRoll:
    """A roll file read and checked for one factory: ``import_roll`` stores it without reading
    the file again (the read is most of an import's time)."""

    factory_id: int
    filename: str
    as_of: date
    sha256: str
    reading: RollReading
    #: The other factories' current rolls the reading was checked against.
    checked_against: frozenset[int] = frozenset()


def check_file(
    session: Session,
    *,
    factory: Factory,
    source: Path | bytes,
    filename: str,
    as_of: date,
    limits: Limits | None = None,
) -> CheckedRoll:
    """``check_roll``, keeping what was read for ``import_roll(checked=...)``."""
    limits = limits or Limits()
    data = read_bytes(source, filename=filename, limits=limits)
    reading, elsewhere = _read_and_check(session, factory, data, filename, as_of, limits)
    digest = hashlib.sha256(data).hexdigest()
    return CheckedRoll(factory.id, filename, as_of, digest, reading, elsewhere)


def _against_other_factories(
    session: Session, factory: Factory, reading: RollReading, rolls: frozenset[int]
) -> RollReading:
    # The same person on two factories' current rolls would be paid twice: refuse the row.
    if not reading.rows or not rolls:
        return reading
    taken: dict[str, tuple[str, str]] = {}
    query = (
        select(RollWorker.national_id, RollWorker.worker_id, Factory.code)
        .join(Roll, RollWorker.roll_id == Roll.id)
        .join(Factory, Roll.factory_id == Factory.id)
        .where(RollWorker.roll_id.in_(sorted(rolls)))
    )
    for national_id, worker_id, code in session.execute(query):
        taken[national_id_key(national_id)] = (code, worker_id)
    if not taken:
        return reading
    column = reading.columns.get("national_id", "National ID")
    found: list[Problem] = []
    kept: list[RollRow] = []
    for row in reading.rows:
        holder = taken.get(row.national_id)
        if holder is None:
            kept.append(row)
            continue
        found.append(
            Problem(
                row.row,
                column,
                "error",
                "duplicate_national_id",
                f"national ID {row.national_id} is on factory {holder[0]}'s current roll"
                f" (worker {holder[1]})",
            )
        )
    if not found:
        return reading
    problems = sorted([*reading.problems, *found], key=lambda p: p.row or 0)
    return dataclasses.replace(
        reading,
        rows=tuple(kept),
        problems=tuple(problems),
        rejected=reading.rejected + len(found),
    )


def import_roll(
    session: Session,
    *,
    factory: Factory,
    source: Path | bytes | None = None,
    filename: str,
    as_of: date,
    actor: User | None,
    limits: Limits | None = None,
    progress: Callable[[int, int], None] | None = None,
    nobody_left: bool = False,
    checked: CheckedRoll | None = None,
) -> Roll:
    """Check the whole file, then store it as the factory's next roll version, or store nothing.

    ``checked`` (from ``check_file``) stands in for ``source``: the file is not read again,
    only checked once more against the other factories' current rolls, under the lock.
    Raises ``RollUnreadable`` (not a roll), ``RollRejected`` (errors), ``RollAlreadyImported``,
    or ``ExitDatesUnconfirmed`` (no exit-date column and ``nobody_left`` not confirmed: a
    worker who had left would be paid as if still employed).
    ``progress(stored, total)`` is called after each batch of workers is stored.
    """
    limits = limits or Limits()
    data = b""
    if checked is not None:
        if (checked.factory_id, checked.filename, checked.as_of) != (factory.id, filename, as_of):
            raise ValueError("the checked roll is another factory's, file's or date's")
        digest = checked.sha256
    elif source is not None:
        data = read_bytes(source, filename=filename, limits=limits)
        digest = hashlib.sha256(data).hexdigest()
    else:
        raise TypeError("import_roll needs the file (source) or its check (checked)")
    # Importers of one factory queue here (PostgreSQL row lock; SQLite's write lock already
    # serialises), so the second reads the first's version: no duplicate, no unique-key error.
    # NO KEY UPDATE: rows that merely reference the factory (events, rolls) are not blocked.
    session.execute(
        select(Factory.id).where(Factory.id == factory.id).with_for_update(key_share=True)
    )
    current = current_roll(session, factory)
    if current is not None and current.sha256 == digest and current.as_of == as_of:
        raise RollAlreadyImported(current)
    if checked is not None:
        # Another factory may have stored a roll since the check: only such rolls are read.
        since = _current_rolls_elsewhere(session, factory) - checked.checked_against
        reading = _against_other_factories(session, factory, checked.reading, since)
    else:
        reading = check_roll(
            session, factory=factory, source=data, filename=filename, as_of=as_of, limits=limits
        )
    refuse_unless_importable(reading, nobody_left=nobody_left)
    without_exits = lacks_exit_dates(reading)
    with cycle_collection_paused():  # the rows stored and reviewed: millions of small objects
        return _store(
            session, factory, reading, digest, current, filename, as_of, actor, progress,
            confirmed_nobody_left=without_exits,
        )  # fmt: skip


def _store(
    session: Session,
    factory: Factory,
    reading: RollReading,
    digest: str,
    current: Roll | None,
    filename: str,
    as_of: date,
    actor: User | None,
    progress: Callable[[int, int], None] | None,
    *,
    confirmed_nobody_left: bool,
) -> Roll:
    roll = Roll(
        factory_id=factory.id,
        version=(current.version + 1) if current is not None else 1,
        as_of=as_of,
        source_filename=filename[:255],
        sha256=digest,
        imported_by_id=actor.id if actor is not None else None,
        rows_read=reading.rows_read,
        worker_count=reading.accepted,
        warning_count=len(reading.warnings),
    )
    session.add(roll)
    session.flush()
    _store_workers(session, roll.id, reading.rows, progress)
    record(
        session,
        actor=actor,
        action="rolls.import",
        object_type="roll",
        object_id=roll.id,
        after={
            "factory": factory.code,
            "version": roll.version,
            "as_of": as_of.isoformat(),
            "filename": roll.source_filename,
            "sha256": digest,
            "workers": roll.worker_count,
            "warnings": roll.warning_count,
            # The officer's word stands in for the missing column: recorded with the import.
            **({"confirmed_nobody_left": True} if confirmed_nobody_left else {}),
        },
    )
    # The controls review it now (fund/rolls/signals.py), so findings are on the roll's page
    # before anyone builds a batch on it.
    # The stored rows go along, so the review does not read back what was just written.
    roll_stored.send(session, roll=roll, actor=actor, rows=reading.rows)
    return roll


def _store_workers(
    session: Session,
    roll_id: int,
    rows: tuple[RollRow, ...],
    progress: Callable[[int, int], None] | None,
) -> None:
    columns = ("roll_id", *_ROW_FIELDS)
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        insert_rows(
            session.connection(), ROLL_WORKERS, columns, [(roll_id, *_row_values(r)) for r in batch]
        )
        if progress is not None:
            progress(len(batch), len(rows))


def roll_rows(session: Session, roll_id: int) -> list[RollRow]:
    """The workers of a stored roll version, in file order, as ``imports`` reads them."""
    workers = session.execute(
        select(*(getattr(RollWorker, name) for name in _ROW_FIELDS))
        .where(RollWorker.roll_id == roll_id)
        .order_by(RollWorker.row)
    )
    return [RollRow(*values) for values in workers]


def payment_details_missing(session: Session, *, roll_id: int | None) -> set[str]:
    """Worker IDs on the roll paid by bank or mobile without the account or wallet (held)."""
    if roll_id is None:
        return set()
    return set(
        session.scalars(
            select(RollWorker.worker_id).where(
                RollWorker.roll_id == roll_id,
                ((RollWorker.payment_method == "bank") & RollWorker.bank_account.is_(None))
                | ((RollWorker.payment_method == "mobile") & RollWorker.wallet_number.is_(None)),
            )
        )
    )


def problems_as_json(reading: RollReading) -> dict[str, Any]:
    """The ``fund rolls check --json`` body (DESIGN §4); the API's 422 uses the same shape."""
    return {
        "rows": reading.rows_read,
        "accepted": reading.accepted,
        "rejected": reading.rejected,
        "problems": [dataclasses.asdict(problem) for problem in reading.problems],
    }


def mapping_fields() -> Mapping[str, str]:
    """Canonical fields a header may be mapped to, with their display labels."""
    from imports import FIELD_LABELS

    return dict(FIELD_LABELS)


__all__ = [
    "CheckedRoll",
    "ExitDatesUnconfirmed",
    "RollAlreadyImported",
    "RollRejected",
    "RollUnreadable",
    "check_file",
    "check_roll",
    "current_roll",
    "factory_by_code",
    "import_roll",
    "lacks_exit_dates",
    "payment_details_missing",
    "problems_as_json",
    "roll_rows",
    "save_mapping",
    "saved_mapping",
]
