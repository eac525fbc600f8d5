"""A throwaway database for a benchmark: SQLite in a temp folder, or a fresh one on a server."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def scratch_database(url: str | None) -> tuple[str, Callable[[], None]]:
    """``(url, drop)``: a new empty database and the function that removes it."""
    if url is None or not url.startswith("postgresql"):
        folder = tempfile.mkdtemp()
        return f"sqlite:///{folder}/bench.sqlite", lambda: shutil.rmtree(folder, True)
    base = make_url(url)
    name = f"{base.database or 'worker_fund'}_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop
