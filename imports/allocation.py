"""Pausing Python's cycle collector while a roll's millions of small objects are made.

Reading or storing a roll allocates millions of small acyclic objects (cells, rows, records);
the cycle collector would only rescan them over and over (a third of the time on 100,000
rows), so it waits until the work is done. Nothing made here holds a reference cycle.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Run the block with the cycle collector off; turn it back on only if it was on."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
