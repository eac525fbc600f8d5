"""The ledger's tables. Placeholder base until the ledger models land."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class LedgerBase(DeclarativeBase):
    metadata = MetaData()
