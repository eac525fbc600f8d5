"""Dashboard tests stand on the disbursement world: DHK-1 suspended, four workers computed."""

from tests.disbursements.conftest import World, world

__all__ = ["World", "world"]
