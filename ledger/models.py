"""The ledger's tables: accounts, journal entries, postings, the chain head and period closes.

An entry is written ``pending``, its postings are inserted in bulk, then it is marked
``posted`` — and at that moment the database (``ledger/guards.py``) checks that it balances per
currency. Posted entries and their postings are never updated or deleted; balances count posted
entries only. The ledger knows nothing of the app: dimensions are plain strings.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ACCOUNT_TYPES = ("asset", "liability", "net_assets", "income", "expense")
DIMENSIONS = ("brand", "factory", "event", "batch")


class LedgerBase(DeclarativeBase):
    """Base of the ledger's own tables (prefixed ``ledger_``)."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Account(LedgerBase):
    """An account of the chart, in one currency, optionally for one brand/factory/event/batch."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("code", "currency", "dimension_key", name="uq_ledger_accounts_identity"),
        CheckConstraint(
            "type IN ('asset', 'liability', 'net_assets', 'income', 'expense')", name="type"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(12))
    currency: Mapped[str] = mapped_column(String(3))
    brand: Mapped[str | None] = mapped_column(String(40))
    factory: Mapped[str | None] = mapped_column(String(40))
    event: Mapped[str | None] = mapped_column(String(40))
    batch: Mapped[str | None] = mapped_column(String(40))
    # "brand=NORD;factory=DHK-017": NULLs never compare equal, so uniqueness needs one string.
    dimension_key: Mapped[str] = mapped_column(String(200), default="")

    @property
    def dimensions(self) -> dict[str, str]:
        """The dimensions this account is kept for, e.g. ``{"factory": "DHK-017"}``."""
        return {name: value for name in DIMENSIONS if (value := getattr(self, name)) is not None}

    @property
    def label(self) -> str:
        """``"5000 Worker compensation [factory=DHK-017] BDT"``: how reports name the account."""
        dims = f" [{self.dimension_key}]" if self.dimension_key else ""
        return f"{self.code} {self.name}{dims} {self.currency}"


class JournalEntry(LedgerBase):
    """A balanced set of postings with its date, memo, idempotency key and chain hash."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'posted')", name="status"),
        CheckConstraint(
            "status = 'pending' OR (sequence IS NOT NULL AND hash IS NOT NULL)", name="chained"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    effective_date: Mapped[date] = mapped_column(Date, index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    memo: Mapped[str] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(String(120), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    # A conversion records its rate as exact decimal text (never a float).
    rate: Mapped[str | None] = mapped_column(String(40))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    sequence: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    postings: Mapped[list[Posting]] = relationship(
        back_populates="entry", order_by="Posting.id", viewonly=True
    )


class Posting(LedgerBase):
    """One line of an entry: a signed amount in minor units (debit positive, credit negative)."""

    __tablename__ = "ledger_postings"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_ledger_postings_account_entry", "account_id", "entry_id"),
    )

    # SQLite only auto-numbers an INTEGER PRIMARY KEY; PostgreSQL needs 64 bits for the volume.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    # Repeats the account's currency so the database can check it and sum per currency.
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)

    entry: Mapped[JournalEntry] = relationship(back_populates="postings")
    account: Mapped[Account] = relationship(lazy="joined")


class ChainHead(LedgerBase):
    """The one row every poster locks: the chain's last sequence and hash."""

    __tablename__ = "ledger_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class PeriodClose(LedgerBase):
    """A close (or reopen): postings dated on or before the latest row's date are refused."""

    __tablename__ = "ledger_period_closes"

    id: Mapped[int] = mapped_column(primary_key=True)
    closed_through: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(String(200), default="")
