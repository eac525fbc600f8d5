"""Creating the ledger's tables and database guards."""

from __future__ import annotations

from sqlalchemy import Connection

from ledger.models import LedgerBase


def install(connection: Connection) -> None:
    """Create the ledger's tables (and, per dialect, its guards) if they are missing."""
    LedgerBase.metadata.create_all(connection)
