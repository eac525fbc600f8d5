"""The ledger's database guards and chain head, installed by the migration after its tables."""

from __future__ import annotations

from sqlalchemy import Connection, insert

from ledger.chain import GENESIS_HASH
from ledger.guards import install_guards
from ledger.models import ChainHead


def install(connection: Connection) -> None:
    """Create the ledger's database guards and the chain's head row (tables must exist)."""
    install_guards(connection)
    connection.execute(insert(ChainHead).values(id=1, last_sequence=0, last_hash=GENESIS_HASH))
