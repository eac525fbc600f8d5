"""The served app's SQLite engine queues concurrent writers instead of failing one of them."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from sqlalchemy import text

from fund.db import make_engine


def test_two_read_then_write_transactions_both_commit(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.sqlite'}", write_lock_first=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    inside = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def increment() -> None:
        try:
            with engine.begin() as conn:
                value = conn.execute(text("SELECT n FROM counter")).scalar_one()
                # The second writer is queued on the lock, not inside: the barrier breaks.
                with contextlib.suppress(threading.BrokenBarrierError):
                    inside.wait(timeout=0.5)
                conn.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=increment) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as conn:
        # Serialised: no lost update, as there would be if both had read 0.
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 2
    engine.dispose()
