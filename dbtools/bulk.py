"""Writing many rows fast: COPY on PostgreSQL, the driver's executemany elsewhere.

The ledger posts entries of 100,000 postings with it; the app's bulk writers (roll workers,
entitlements, payment claims, payment lines) use it too. Statement-level triggers still fire
for COPY, so no guard is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table, insert


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the caller's transaction."""
    if not rows:
        return
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)  # noqa: S608  (names come from the model)
        return
    connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
