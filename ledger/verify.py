"""``verify``: recompute the hash chain and the balances; name the first bad entry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.chain import GENESIS_HASH, stored_entry_hash
from ledger.models import Account, ChainHead, JournalEntry, Posting


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome: how many entries were checked and, if broken, where and why."""

    entries: int
    first_bad_entry: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        """True when the chain and the balances are intact."""
        return self.first_bad_entry is None and self.reason is None


def _postings_by_entry(session: Session) -> Iterator[tuple[int, list[tuple[str, str, str, int]]]]:
    rows = session.execute(
        select(
            Posting.entry_id, Account.code, Account.dimension_key, Posting.currency, Posting.amount
        )
        .join(Account, Account.id == Posting.account_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(JournalEntry.status == "posted")
        .order_by(JournalEntry.sequence, Posting.id)
        .execution_options(yield_per=10_000)
    )
    for entry_id, group in groupby(rows, key=lambda row: row[0]):
        yield (
            entry_id,
            [(code, dims, currency, amount) for _, code, dims, currency, amount in group],
        )


def _first_failed_rule(session: Session) -> Verification | None:
    """Rules the database guards enforce, checked again in case the guards were bypassed."""
    pending = session.scalar(
        select(JournalEntry.id).where(JournalEntry.status == "pending").order_by(JournalEntry.id)
    )
    if pending is not None:
        return Verification(0, pending, "entry was left pending (never balanced and posted)")
    mismatched = session.scalar(
        select(func.min(Posting.entry_id))
        .join(Account, Account.id == Posting.account_id)
        .where(Account.currency != Posting.currency)
    )
    if mismatched is not None:
        return Verification(0, mismatched, "a posting is not in its account's currency")
    unbalanced = session.scalar(
        select(Posting.entry_id)
        .group_by(Posting.entry_id, Posting.currency)
        .having(func.sum(Posting.amount) != 0)
        .order_by(Posting.entry_id)
    )
    if unbalanced is not None:
        return Verification(0, unbalanced, "debits do not equal credits")
    return None


def verify(session: Session) -> Verification:
    """Recompute every posted entry's hash and link, and check every entry balances.

    An entry whose stored content does not match its own hash is named first (it was changed);
    otherwise the first broken link or gap in the sequence (an entry was removed or forged).
    """
    failed = _first_failed_rule(session)
    if failed is not None:
        return failed
    entries = session.execute(
        select(JournalEntry)
        .where(JournalEntry.status == "posted")
        .order_by(JournalEntry.sequence)
        .execution_options(yield_per=1000)
    ).scalars()
    postings = _postings_by_entry(session)
    waiting = next(postings, None)
    previous, expected_sequence, count = GENESIS_HASH, 1, 0
    changed: Verification | None = None  # the first entry whose content fails its own hash
    broken: Verification | None = None  # the first break in the chain's links
    for entry in entries:
        count += 1
        lines: list[tuple[str, str, str, int]] = []
        if waiting is not None and waiting[0] == entry.id:
            lines = waiting[1]
            waiting = next(postings, None)
        recomputed = stored_entry_hash(entry, lines)
        if changed is None and recomputed != entry.hash:
            reason = "content does not match its hash" if lines else "its postings are missing"
            changed = Verification(count, entry.id, reason)
        if broken is None and entry.sequence != expected_sequence:
            broken = Verification(count, entry.id, f"sequence {entry.sequence} breaks the chain")
        if broken is None and entry.previous_hash != previous:
            broken = Verification(count, entry.id, "link to the previous entry is broken")
        previous, expected_sequence = entry.hash or "", (entry.sequence or 0) + 1
    if changed is not None or broken is not None:
        found = changed or broken
        assert found is not None
        return Verification(count, found.first_bad_entry, found.reason)
    head = session.get(ChainHead, 1)
    if head is not None and (head.last_hash != previous or head.last_sequence != count):
        return Verification(count, None, "entries after the last one were removed")
    return Verification(count, None, None)
