"""Database guards that make the audit log append-only, per dialect."""

from __future__ import annotations

from sqlalchemy import Connection, text

_SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
]

_POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION fund_audit_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$""",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION fund_audit_append_only()""",
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
       FOR EACH STATEMENT EXECUTE FUNCTION fund_audit_append_only()""",
]


# The chain's head row exists from the start: two first writers would otherwise both try to
# create it, and one of them would fail instead of waiting for the row lock.
_SEED_HEAD = """INSERT INTO audit_chain_head (id, last_event_id, last_hash)
    SELECT 1, NULL, :genesis WHERE NOT EXISTS (SELECT 1 FROM audit_chain_head WHERE id = 1)"""


def install_guards(connection: Connection) -> None:
    """Create the append-only triggers on ``audit_events`` and seed the chain's head row."""
    statements = _POSTGRESQL if connection.dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        # text() escapes the '%' of RAISE's format for psycopg's placeholder syntax.
        connection.execute(text(statement))
    connection.execute(text(_SEED_HEAD), {"genesis": "0" * 64})
