"""What the roll area announces to the areas above it (blinker signals).

The roll import stores a roll version and says so; it does not know who listens. The
integrity controls connect their review to it (``fund/controls/roll_review.py``, connected
when ``fund.controls`` is imported, which ``fund.models`` does; ``fund.db.make_engine``
imports that before any database is used), so the review runs because an import happened.
Receivers run in the import's transaction: one that raises undoes the import.
"""

from __future__ import annotations

from blinker import Signal

#: ``roll_stored.send(session, roll=roll, actor=actor, rows=rows)``: a roll version and its
#: workers are stored (``services.import_roll``); ``rows`` are the stored ``RollRow`` records,
#: in file order, so a receiver need not read them back.
roll_stored = Signal("a roll version and its workers are stored")
