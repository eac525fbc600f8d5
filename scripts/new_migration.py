"""Write the next Alembic migration from the difference between the models and the migrations.

    .venv/bin/python scripts/new_migration.py "add disbursement batches"

A scratch SQLite database is upgraded to the newest migration and compared with the models;
the new file lands in migrations/versions/ for you to read, adjust (triggers, data) and commit.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from fund.db import make_engine
from fund.migrate import alembic_config, upgrade


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'scratch.sqlite'}")
        upgrade(engine)
        command.revision(alembic_config(engine), message=sys.argv[1], autogenerate=True)
        engine.dispose()


if __name__ == "__main__":
    main()
