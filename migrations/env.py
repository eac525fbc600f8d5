"""Alembic environment: the engine comes from `fund.migrate` (never from an ini file)."""

from __future__ import annotations

from alembic import context

import fund.models  # noqa: F401  (registers every model on the metadata)
from fund.db import Base
from ledger.models import LedgerBase

target_metadata = [Base.metadata, LedgerBase.metadata]


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
