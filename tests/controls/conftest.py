"""The controls tests reuse the disbursement world: DHK-1 suspended, four workers computed."""

from __future__ import annotations

from tests.disbursements.conftest import world

__all__ = ["world"]
