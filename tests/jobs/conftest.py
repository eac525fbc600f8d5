"""The jobs tests' committed database: a consumer in another process must see the rows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _drop_postgres_database, _fresh_postgres_database


@pytest.fixture
def committed_url(tmp_path: Path, worker_id: str) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        url, name = _fresh_postgres_database(base, f"{worker_id}_jobs")
        yield url
        _drop_postgres_database(base, name)
    else:
        yield f"sqlite:///{tmp_path / 'fund.sqlite'}"
