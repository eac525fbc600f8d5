"""What the events area announces to the areas above it (blinker signals).

An event that starts computing from a roll version says so; the integrity controls review the
roll against the event's start date ("joined shortly before", ``fund/controls/roll_review.py``).
Receivers run in the caller's transaction: one that raises undoes the change.
"""

from __future__ import annotations

from blinker import Signal

#: ``roll_chosen.send(session, event=event, roll=roll, actor=actor)``: ``event`` is created on
#: ``roll`` or moved to it (``services.create_event``, ``services.set_roll``).
roll_chosen = Signal("an event computes from this roll version")
