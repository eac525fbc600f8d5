"""The append-only audit log: who changed what, when, from what to what.

Every state change calls ``record`` inside the same transaction as the change, so a change
and its audit line commit or vanish together. Rows are chained by hash through a single head
row (locked on PostgreSQL) and the database refuses UPDATE and DELETE on them.
"""
