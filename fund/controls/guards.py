"""The double-payment guard in the database: no two live claims of one person at one factory
overlap (suspension days), and a separation benefit is claimed once.

A trigger, per dialect, on INSERT and UPDATE of ``payment_claims``; the service checks first to
give a readable refusal, but anyone writing to the database directly meets this. On PostgreSQL
the trigger takes a transaction-level advisory lock on the factory first, so two concurrent
writers for one factory queue and the second sees the first's claims (a plain check-then-insert
would let both through under READ COMMITTED). One lock per factory, not per person: a batch of
50,000 workers taking one lock each ran out of PostgreSQL's lock table
(``max_locks_per_transaction``), and a batch only ever pays one factory's workers.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

MESSAGE = "double payment refused"

_OVERLAP = """
    c.active AND c.id <> NEW.id AND c.national_id = NEW.national_id
    AND c.factory_id = NEW.factory_id AND c.kind = NEW.kind
    AND (NEW.kind = 'separation' OR (c.first_day <= NEW.last_day AND c.last_day >= NEW.first_day))
"""


def _sqlite() -> list[str]:
    # Built from constants of this module only: nothing a user typed reaches these statements.
    return [
        f"""CREATE TRIGGER IF NOT EXISTS payment_claims_no_overlap_{verb}
        BEFORE {verb.upper()} ON payment_claims WHEN NEW.active
        BEGIN
            SELECT RAISE(ABORT, '{MESSAGE}: this national ID is already paid for these days (or its separation benefit) at this factory')
            WHERE EXISTS (SELECT 1 FROM payment_claims c WHERE {_OVERLAP});
        END"""  # noqa: S608, E501
        for verb in ("insert", "update")
    ]


def _postgresql() -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION fund_payment_claims_no_overlap() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE holder RECORD;
        BEGIN
            IF NOT NEW.active THEN RETURN NEW; END IF;
            PERFORM pg_advisory_xact_lock(hashtext('payment_claims'), NEW.factory_id);
            SELECT c.event_id, c.first_day, c.last_day INTO holder
              FROM payment_claims c WHERE {_OVERLAP} LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION '{MESSAGE}: national ID % is already paid by event % for % to %',
                    NEW.national_id, holder.event_id, holder.first_day, holder.last_day
                    USING ERRCODE = 'unique_violation';
            END IF;
            RETURN NEW;
        END $$""",  # noqa: S608
        "DROP TRIGGER IF EXISTS payment_claims_no_overlap ON payment_claims",
        """CREATE TRIGGER payment_claims_no_overlap BEFORE INSERT OR UPDATE ON payment_claims
        FOR EACH ROW EXECUTE FUNCTION fund_payment_claims_no_overlap()""",
    ]


def install_payment_guard(connection: Connection) -> None:
    """Create the trigger (idempotent)."""
    statements = _postgresql() if connection.dialect.name == "postgresql" else _sqlite()
    for statement in statements:
        # text() escapes the '%' of RAISE's format for psycopg's placeholder syntax.
        connection.execute(text(statement))


def uninstall_payment_guard(connection: Connection) -> None:
    """Drop the trigger (the migration's downgrade)."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("DROP TRIGGER IF EXISTS payment_claims_no_overlap ON payment_claims")
        )
        connection.execute(text("DROP FUNCTION IF EXISTS fund_payment_claims_no_overlap()"))
        return
    for verb in ("insert", "update"):
        connection.execute(text(f"DROP TRIGGER IF EXISTS payment_claims_no_overlap_{verb}"))


def refused_by_payment_guard(error: BaseException) -> bool:
    """Whether a database error is this guard's refusal (SQLAlchemy's or psycopg's own, by COPY)."""
    return MESSAGE in str(error)
