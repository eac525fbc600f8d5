"""Posting entries: ``post``, ``reverse`` and ``convert``.

Each validates in Python (``ledger.checks``, for a clear message), locks the chain head — the
one serialisation point, so concurrent posters cannot fork the chain or race an idempotency
key — inserts the entry pending and its postings in bulk, then marks it posted with its
sequence and hash; the database checks the balance at that moment. Nothing commits here: the
caller's transaction does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from dbtools.bulk import insert_rows
from ledger.chain import entry_hash, request_hash, stored_entry_hash
from ledger.chart import account as chart_account
from ledger.checks import (
    check_dates,
    check_entry,
    check_overdraft,
    check_size,
    closed_through,
    today,
)
from ledger.errors import CurrencyMismatch, IdempotencyConflict, ReversalRefused
from ledger.models import Account, ChainHead, JournalEntry, Posting
from ledger.money import from_minor, to_minor
from ledger.values import Entry
from ledger.values import Posting as PostingLine

# The day and the closed period are read in ``ledger.checks``; callers import them from here too.
__all__ = ["closed_through", "convert", "post", "post_many", "reverse", "today"]


def _lines(postings: Iterable[PostingLine]) -> list[tuple[str, str, str, int]]:
    return [
        (p.account.code, p.account.dimension_key, p.account.currency, p.amount) for p in postings
    ]


def _rate_text(rate: Decimal | None) -> str | None:
    return None if rate is None else format(rate.normalize(), "f")


def _request_hash(entry: Entry, lines: list[tuple[str, str, str, int]], rate: str | None) -> str:
    return request_hash(
        effective_date=entry.effective_date,
        memo=entry.memo,
        reference=entry.reference,
        rate=rate,
        postings=lines,
    )


def _lock_head(session: Session) -> ChainHead:
    head = session.scalar(select(ChainHead).where(ChainHead.id == 1).with_for_update())
    if head is None:  # pragma: no cover - the migration creates it
        raise RuntimeError("the ledger's chain head is missing: run the migrations")
    return head


def post(
    session: Session,
    entry: Entry,
    *,
    no_overdraft: Iterable[Account] = (),
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post ``entry``; a retry with the same key and content returns the first entry unchanged.

    ``no_overdraft`` names asset accounts the entry may not take below zero.
    """
    check_entry(entry)
    lines = _lines(entry.postings)
    rate = _rate_text(entry.rate)
    asked = _request_hash(entry, lines, rate)
    head = _lock_head(session)
    existing = session.scalar(
        select(JournalEntry).where(JournalEntry.idempotency_key == entry.idempotency_key)
    )
    if existing is not None:
        if existing.request_hash != asked:
            raise IdempotencyConflict(
                f"idempotency key {entry.idempotency_key!r} was used for entry {existing.id} "
                "with different content"
            )
        return existing
    check_dates(session, [entry.effective_date])
    check_size(session, entry.postings)
    check_overdraft(
        session, [(entry.effective_date, line) for line in entry.postings], no_overdraft
    )

    journal = JournalEntry(
        status="pending",
        effective_date=entry.effective_date,
        recorded_at=datetime.now(UTC),
        memo=entry.memo,
        reference=entry.reference,
        idempotency_key=entry.idempotency_key,
        request_hash=asked,
        rate=rate,
        reverses_id=reverses.id if reverses is not None else None,
    )
    session.add(journal)
    session.flush()
    insert_rows(
        session.connection(),
        Posting.__table__,  # type: ignore[arg-type]
        ("entry_id", "account_id", "currency", "amount"),
        [
            (journal.id, line.account.id, line.account.currency, line.amount)
            for line in entry.postings
        ],
    )

    sequence = head.last_sequence + 1
    journal.sequence = sequence
    journal.previous_hash = head.last_hash
    journal.hash = stored_entry_hash(journal, lines)
    journal.status = "posted"  # the database checks the balance on this update
    head.last_sequence = sequence
    head.last_hash = journal.hash
    session.flush()
    return journal


def _existing_entries(session: Session, keys: Sequence[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(keys), 1000):  # stay under every driver's parameter limit
        chunk = keys[start : start + 1000]
        rows = session.execute(
            select(JournalEntry.idempotency_key, JournalEntry.id, JournalEntry.request_hash).where(
                JournalEntry.idempotency_key.in_(chunk)
            )
        )
        found.update({key: (entry_id, asked) for key, entry_id, asked in rows})
    return found


def post_many(
    session: Session, entries: Sequence[Entry], *, no_overdraft: Iterable[Account] = ()
) -> list[int]:
    """Post many entries at once (one lock, bulk inserts); their ids, in the order given.

    The same rules as ``post``, entry by entry — each is balanced, idempotent (a retry's id is
    the original's) and chained — and ``no_overdraft`` applies to all of them together. If any
    entry is refused, none is posted. For payouts of thousands of workers, each its own entry.
    """
    prepared = []
    for entry in entries:
        check_entry(entry)
        lines = _lines(entry.postings)
        rate = _rate_text(entry.rate)
        prepared.append((entry, lines, rate, _request_hash(entry, lines, rate)))
    head = _lock_head(session)
    existing = _existing_entries(session, [entry.idempotency_key for entry in entries])
    new: dict[str, int] = {}  # key → index into prepared, for entries to write
    for index, (entry, _, _, asked) in enumerate(prepared):
        key = entry.idempotency_key
        earlier = existing.get(key)
        if earlier is None and key in new:
            earlier = (-1, prepared[new[key]][3])
        if earlier is not None:
            if earlier[1] != asked:
                raise IdempotencyConflict(
                    f"idempotency key {key!r} was used for other content"
                    + (f" (entry {earlier[0]})" if earlier[0] > 0 else " earlier in this batch")
                )
            continue
        new[key] = index
    to_write = [prepared[index] for index in new.values()]
    if to_write:
        check_dates(session, (entry.effective_date for entry, *_ in to_write))
        check_size(session, [line for entry, *_ in to_write for line in entry.postings])
        check_overdraft(
            session,
            [(entry.effective_date, line) for entry, *_ in to_write for line in entry.postings],
            no_overdraft,
        )

    connection = session.connection()
    entries_table = cast(Table, JournalEntry.__table__)
    recorded_at = datetime.now(UTC)
    ids = (
        connection.execute(
            insert(entries_table).returning(entries_table.c.id, sort_by_parameter_order=True),
            [
                {
                    "status": "pending",
                    "effective_date": entry.effective_date,
                    "recorded_at": recorded_at,
                    "memo": entry.memo,
                    "reference": entry.reference,
                    "idempotency_key": entry.idempotency_key,
                    "request_hash": asked,
                    "rate": rate,
                    "reverses_id": None,
                }
                for entry, _, rate, asked in to_write
            ],
        )
        .scalars()
        .all()
        if to_write
        else []
    )
    insert_rows(
        connection,
        Posting.__table__,  # type: ignore[arg-type]
        ("entry_id", "account_id", "currency", "amount"),
        [
            (entry_id, line.account.id, line.account.currency, line.amount)
            for entry_id, (entry, *_) in zip(ids, to_write, strict=True)
            for line in entry.postings
        ],
    )
    sequence, previous = head.last_sequence, head.last_hash
    chained = []
    for entry_id, (entry, lines, rate, _) in zip(ids, to_write, strict=True):
        sequence += 1
        digest = entry_hash(
            previous_hash=previous,
            sequence=sequence,
            effective_date=entry.effective_date,
            recorded_at=recorded_at,
            memo=entry.memo,
            idempotency_key=entry.idempotency_key,
            reference=entry.reference,
            rate=rate,
            reverses_id=None,
            postings=lines,
        )
        chained.append(
            {"row": entry_id, "sequence": sequence, "previous": previous, "hash": digest}
        )
        previous = digest
    if chained:
        # The database checks each entry's balance as it turns posted: once per entry.
        connection.execute(
            update(entries_table)
            .where(entries_table.c.id == bindparam("row"))
            .values(
                status="posted",
                sequence=bindparam("sequence"),
                previous_hash=bindparam("previous"),
                hash=bindparam("hash"),
            ),
            chained,
        )
        head.last_sequence, head.last_hash = sequence, previous
        session.flush()
    by_key = {key: entry_id for key, (entry_id, _) in existing.items()}
    by_key.update(zip(new, ids, strict=True))
    return [by_key[entry.idempotency_key] for entry in entries]


def reverse(
    session: Session,
    original: JournalEntry,
    *,
    effective_date: date,
    memo: str | None = None,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """Post the mirror image of ``original``; reversing it again returns the same reversal.

    A reversal is final: reversing a reversal is refused (post the original content again
    under a new key instead), and so is a second reversal under another key.
    """
    if original.status != "posted":
        raise ReversalRefused(f"entry {original.id} is not posted")
    if original.reverses_id is not None:
        raise ReversalRefused(
            f"entry {original.id} is itself a reversal; post the original content again instead"
        )
    key = idempotency_key or f"reversal-of:{original.idempotency_key}"
    already = session.scalar(select(JournalEntry).where(JournalEntry.reverses_id == original.id))
    if already is not None and already.idempotency_key != key:
        raise ReversalRefused(f"entry {original.id} was already reversed by entry {already.id}")
    postings = session.execute(
        select(Account, Posting.amount)
        .join(Posting, Posting.account_id == Account.id)
        .where(Posting.entry_id == original.id)
        .order_by(Posting.id)
    ).all()
    mirror = Entry(
        effective_date=effective_date,
        memo=memo or f"Reversal of entry {original.id}: {original.memo}",
        idempotency_key=key,
        reference=original.reference,
        postings=tuple(PostingLine(account, -amount) for account, amount in postings),
    )
    return post(session, mirror, reverses=original)


def convert(
    session: Session,
    *,
    source: Account,
    target: Account,
    source_amount: int,
    rate: Decimal,
    effective_date: date,
    memo: str,
    idempotency_key: str,
    reference: str | None = None,
    no_overdraft: bool = True,
    target_amount: int | None = None,
) -> JournalEntry:
    """Move ``source_amount`` (minor units) from ``source`` into ``target``'s currency at ``rate``.

    One entry that balances in each currency through the currency-exchange account (1900) of
    each; the target amount is ``source_amount × rate`` rounded half-up to the minor unit,
    unless the bank's credited ``target_amount`` is given (the rate is recorded either way).
    """
    if source.currency == target.currency:
        raise CurrencyMismatch("a conversion needs two currencies")
    if source_amount <= 0 or rate <= 0 or (target_amount is not None and target_amount <= 0):
        raise CurrencyMismatch("a conversion moves a positive amount at a positive rate")
    if target_amount is None:
        target_amount = to_minor(
            from_minor(source_amount, source.currency) * rate, target.currency, rounding="half_up"
        )
    exchange_source = chart_account(session, "1900", currency=source.currency)
    exchange_target = chart_account(session, "1900", currency=target.currency)
    entry = Entry(
        effective_date=effective_date,
        memo=memo,
        idempotency_key=idempotency_key,
        reference=reference,
        rate=rate,
        postings=(
            PostingLine(exchange_source, source_amount),
            PostingLine(source, -source_amount),
            PostingLine(target, target_amount),
            PostingLine(exchange_target, -target_amount),
        ),
    )
    return post(session, entry, no_overdraft=[source] if no_overdraft else [])
