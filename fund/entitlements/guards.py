"""Database triggers that keep computed entitlements, event history and used policies fixed.

A computation is a record of what was owed: a new computation is a new run, never an edit.
End-date changes and duplicate resolutions are history. A policy version frozen by an approved
batch cannot change or disappear. Enforced by the database, per dialect, not only in Python.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

#: Tables whose rows are never updated or deleted, and what to do instead.
_APPEND_ONLY = {
    "entitlement_runs": "compute the event again for a new run",
    "entitlements": "compute the event again for a new run",
    "entitlement_lines": "compute the event again for a new run",
    "event_extensions": "record a new change of the end date",
    "event_duplicate_resolutions": "a resolution by an officer is history",
}
_FROZEN_MESSAGE = "a frozen policy version cannot change: store a new version"


def _sqlite() -> list[str]:
    statements = []
    for table, advice in _APPEND_ONLY.items():
        for verb in ("update", "delete"):
            statements.append(
                f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{verb} BEFORE {verb.upper()} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: {advice}'); END"""
            )
    for verb in ("update", "delete"):
        statements.append(
            f"""CREATE TRIGGER IF NOT EXISTS policy_versions_frozen_{verb}
            BEFORE {verb.upper()} ON policy_versions WHEN OLD.frozen
            BEGIN SELECT RAISE(ABORT, '{_FROZEN_MESSAGE}'); END"""
        )
    return statements


def _postgresql() -> list[str]:
    statements = [
        """CREATE OR REPLACE FUNCTION fund_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only: %', TG_TABLE_NAME, TG_ARGV[0]; END $$""",
        f"""CREATE OR REPLACE FUNCTION fund_policy_frozen() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.frozen THEN RAISE EXCEPTION '{_FROZEN_MESSAGE}'; END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$""",
    ]
    for table, advice in _APPEND_ONLY.items():
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION fund_append_only('{advice}')""",
        ]
    statements += [
        "DROP TRIGGER IF EXISTS policy_versions_frozen ON policy_versions",
        """CREATE TRIGGER policy_versions_frozen BEFORE UPDATE OR DELETE ON policy_versions
        FOR EACH ROW EXECUTE FUNCTION fund_policy_frozen()""",
    ]
    return statements


def install_entitlement_guards(connection: Connection) -> None:
    """Create the triggers (idempotent)."""
    statements = _postgresql() if connection.dialect.name == "postgresql" else _sqlite()
    for statement in statements:
        # text() escapes the '%' of RAISE's format for psycopg's placeholder syntax.
        connection.execute(text(statement))
