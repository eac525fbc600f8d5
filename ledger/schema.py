"""Creating the ledger's tables, guards and chain head (called once, from the migration)."""

from __future__ import annotations

from sqlalchemy import Connection, insert

from ledger.chain import GENESIS_HASH
from ledger.guards import install_guards
from ledger.models import ChainHead, LedgerBase


def install(connection: Connection) -> None:
    """Create the ledger's tables, its database guards and the chain's head row."""
    LedgerBase.metadata.create_all(connection)
    install_guards(connection)
    connection.execute(insert(ChainHead).values(id=1, last_sequence=0, last_hash=GENESIS_HASH))
