"""Database triggers that keep stored rolls immutable: no UPDATE or DELETE, per dialect."""

from __future__ import annotations

from sqlalchemy import Connection, text

_TABLES = ("rolls", "roll_workers")


def _sqlite(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is immutable: import a new roll version'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is immutable: import a new roll version'); END""",
    ]


def _postgresql(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}",
        f"""CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION fund_rolls_immutable()""",
    ]


_POSTGRESQL_FUNCTION = """CREATE OR REPLACE FUNCTION fund_rolls_immutable() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '% is immutable: import a new roll version', TG_TABLE_NAME; END $$"""


def install_roll_guards(connection: Connection) -> None:
    """Create the triggers refusing UPDATE and DELETE on stored rolls and their workers."""
    if connection.dialect.name == "postgresql":
        statements = [_POSTGRESQL_FUNCTION]
        for table in _TABLES:
            statements += _postgresql(table)
    else:
        statements = [statement for table in _TABLES for statement in _sqlite(table)]
    for statement in statements:
        # text() escapes the '%' of RAISE's format for psycopg's placeholder syntax.
        connection.execute(text(statement))
