"""Events: a factory's suspension (full or partial, open or ended) or closure.

An event is the reason the fund pays. It records the inspection or panel decision behind it
and the roll version its entitlements are computed from; changes to a suspension's end date
are kept as ``EventExtension`` history rows, and every change writes an audit event.
"""
