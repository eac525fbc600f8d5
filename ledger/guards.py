"""The ledger's rules, enforced by the database itself (SQLite and PostgreSQL).

- an entry is inserted ``pending`` and may not be dated (nor posted) in a closed period;
- postings go only into a pending entry, in their account's currency, never zero;
- marking an entry ``posted`` checks, once per entry, that it has two or more postings and
  balances per currency — never a re-sum per inserted row, so 100,000 postings post fast;
- posted entries and their postings are never updated or deleted (nor truncated).
PostgreSQL also refuses, at commit, an entry that was left pending (a deferred trigger).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

_SQLITE = [
    """CREATE TRIGGER ledger_entries_insert BEFORE INSERT ON ledger_entries
       BEGIN
         SELECT RAISE(ABORT, 'ledger: entries are written pending, then posted')
           WHERE NEW.status <> 'pending';
         SELECT RAISE(ABORT, 'ledger: the period is closed for this effective date')
           WHERE NEW.effective_date <= (SELECT closed_through FROM ledger_period_closes
                                        ORDER BY id DESC LIMIT 1);
       END""",
    """CREATE TRIGGER ledger_entries_update BEFORE UPDATE ON ledger_entries
       BEGIN
         SELECT RAISE(ABORT, 'ledger: a posted entry cannot be changed')
           WHERE OLD.status = 'posted';
         SELECT RAISE(ABORT, 'ledger: only the status, sequence and hash of an entry change')
           WHERE NEW.effective_date IS NOT OLD.effective_date OR NEW.memo IS NOT OLD.memo
              OR NEW.idempotency_key IS NOT OLD.idempotency_key
              OR NEW.request_hash IS NOT OLD.request_hash OR NEW.rate IS NOT OLD.rate
              OR NEW.reference IS NOT OLD.reference OR NEW.reverses_id IS NOT OLD.reverses_id
              OR NEW.recorded_at IS NOT OLD.recorded_at;
         SELECT RAISE(ABORT, 'ledger: the period is closed for this effective date')
           WHERE NEW.status = 'posted'
             AND NEW.effective_date <= (SELECT closed_through FROM ledger_period_closes
                                        ORDER BY id DESC LIMIT 1);
         SELECT RAISE(ABORT, 'ledger: an entry needs at least two postings')
           WHERE NEW.status = 'posted'
             AND (SELECT count(*) FROM ledger_postings WHERE entry_id = NEW.id) < 2;
         SELECT RAISE(ABORT, 'ledger: debits do not equal credits in every currency')
           WHERE NEW.status = 'posted' AND EXISTS (
             SELECT 1 FROM ledger_postings WHERE entry_id = NEW.id
             GROUP BY currency HAVING sum(amount) <> 0);
       END""",
    """CREATE TRIGGER ledger_entries_delete BEFORE DELETE ON ledger_entries
       WHEN OLD.status = 'posted'
       BEGIN SELECT RAISE(ABORT, 'ledger: a posted entry cannot be deleted'); END""",
    """CREATE TRIGGER ledger_postings_insert BEFORE INSERT ON ledger_postings
       BEGIN
         SELECT RAISE(ABORT, 'ledger: postings go only into a pending entry')
           WHERE (SELECT status FROM ledger_entries WHERE id = NEW.entry_id) IS NOT 'pending';
         SELECT RAISE(ABORT, 'ledger: a posting must be in its account''s currency')
           WHERE (SELECT currency FROM ledger_accounts WHERE id = NEW.account_id)
                 IS NOT NEW.currency;
       END""",
    """CREATE TRIGGER ledger_postings_update BEFORE UPDATE ON ledger_postings
       BEGIN SELECT RAISE(ABORT, 'ledger: postings are never changed'); END""",
    """CREATE TRIGGER ledger_postings_delete BEFORE DELETE ON ledger_postings
       WHEN (SELECT status FROM ledger_entries WHERE id = OLD.entry_id) = 'posted'
       BEGIN SELECT RAISE(ABORT, 'ledger: postings of a posted entry cannot be deleted'); END""",
    """CREATE TRIGGER ledger_accounts_update BEFORE UPDATE ON ledger_accounts
       WHEN NEW.currency IS NOT OLD.currency OR NEW.code IS NOT OLD.code
         OR NEW.type IS NOT OLD.type OR NEW.dimension_key IS NOT OLD.dimension_key
         OR NEW.brand IS NOT OLD.brand OR NEW.factory IS NOT OLD.factory
         OR NEW.event IS NOT OLD.event OR NEW.batch IS NOT OLD.batch
       BEGIN SELECT RAISE(ABORT, 'ledger: an account''s code, type, currency and dimensions
                                  never change'); END""",
    """CREATE TRIGGER ledger_period_closes_update BEFORE UPDATE ON ledger_period_closes
       BEGIN SELECT RAISE(ABORT, 'ledger: period closes are appended, never changed'); END""",
    """CREATE TRIGGER ledger_period_closes_delete BEFORE DELETE ON ledger_period_closes
       BEGIN SELECT RAISE(ABORT, 'ledger: period closes are appended, never deleted'); END""",
]

_POSTGRESQL = [
    """CREATE FUNCTION ledger_entries_insert() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.status <> 'pending' THEN
           RAISE EXCEPTION 'ledger: entries are written pending, then posted';
         END IF;
         IF NEW.effective_date <= (SELECT closed_through FROM ledger_period_closes
                                   ORDER BY id DESC LIMIT 1) THEN
           RAISE EXCEPTION 'ledger: the period is closed for %', NEW.effective_date;
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_entries_insert BEFORE INSERT ON ledger_entries
       FOR EACH ROW EXECUTE FUNCTION ledger_entries_insert()""",
    """CREATE FUNCTION ledger_entries_update() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF OLD.status = 'posted' THEN
           RAISE EXCEPTION 'ledger: posted entry % cannot be changed', OLD.id;
         END IF;
         IF (NEW.effective_date, NEW.memo, NEW.idempotency_key, NEW.request_hash, NEW.rate,
             NEW.reference, NEW.reverses_id, NEW.recorded_at)
            IS DISTINCT FROM (OLD.effective_date, OLD.memo, OLD.idempotency_key,
             OLD.request_hash, OLD.rate, OLD.reference, OLD.reverses_id, OLD.recorded_at) THEN
           RAISE EXCEPTION 'ledger: only the status, sequence and hash of an entry change';
         END IF;
         IF NEW.status = 'posted' THEN
           -- A pending entry written before the books were closed cannot slip in afterwards.
           IF NEW.effective_date <= (SELECT closed_through FROM ledger_period_closes
                                     ORDER BY id DESC LIMIT 1) THEN
             RAISE EXCEPTION 'ledger: the period is closed for %', NEW.effective_date;
           END IF;
           IF (SELECT count(*) FROM ledger_postings WHERE entry_id = NEW.id) < 2 THEN
             RAISE EXCEPTION 'ledger: entry % needs at least two postings', NEW.id;
           END IF;
           IF EXISTS (SELECT 1 FROM ledger_postings WHERE entry_id = NEW.id
                      GROUP BY currency HAVING sum(amount) <> 0) THEN
             RAISE EXCEPTION 'ledger: debits do not equal credits in every currency of entry %',
               NEW.id;
           END IF;
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_entries_update BEFORE UPDATE ON ledger_entries
       FOR EACH ROW EXECUTE FUNCTION ledger_entries_update()""",
    """CREATE FUNCTION ledger_entries_delete() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF OLD.status = 'posted' THEN
           RAISE EXCEPTION 'ledger: posted entry % cannot be deleted', OLD.id;
         END IF;
         RETURN OLD;
       END $$""",
    """CREATE TRIGGER ledger_entries_delete BEFORE DELETE ON ledger_entries
       FOR EACH ROW EXECUTE FUNCTION ledger_entries_delete()""",
    """CREATE FUNCTION ledger_entries_left_pending() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM ledger_entries WHERE id = NEW.id AND status = 'pending') THEN
           RAISE EXCEPTION 'ledger: entry % was left pending (not balanced and posted)', NEW.id;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE CONSTRAINT TRIGGER ledger_entries_left_pending AFTER INSERT ON ledger_entries
       DEFERRABLE INITIALLY DEFERRED
       FOR EACH ROW EXECUTE FUNCTION ledger_entries_left_pending()""",
    # Set-based checks of a whole INSERT statement: one join, not a lookup per row.
    """CREATE FUNCTION ledger_postings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM new_postings p JOIN ledger_entries e ON e.id = p.entry_id
                    WHERE e.status <> 'pending') THEN
           RAISE EXCEPTION 'ledger: postings go only into a pending entry';
         END IF;
         IF EXISTS (SELECT 1 FROM new_postings p JOIN ledger_accounts a ON a.id = p.account_id
                    WHERE a.currency <> p.currency) THEN
           RAISE EXCEPTION 'ledger: a posting must be in its account''s currency';
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER ledger_postings_inserted AFTER INSERT ON ledger_postings
       REFERENCING NEW TABLE AS new_postings
       FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_inserted()""",
    """CREATE FUNCTION ledger_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'ledger: % on % is refused', TG_OP, TG_TABLE_NAME; END $$""",
    """CREATE TRIGGER ledger_postings_update BEFORE UPDATE ON ledger_postings
       FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse()""",
    """CREATE FUNCTION ledger_postings_delete() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF (SELECT status FROM ledger_entries WHERE id = OLD.entry_id) = 'posted' THEN
           RAISE EXCEPTION 'ledger: postings of posted entry % cannot be deleted', OLD.entry_id;
         END IF;
         RETURN OLD;
       END $$""",
    """CREATE TRIGGER ledger_postings_delete BEFORE DELETE ON ledger_postings
       FOR EACH ROW EXECUTE FUNCTION ledger_postings_delete()""",
    """CREATE FUNCTION ledger_accounts_update() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF (NEW.code, NEW.type, NEW.currency, NEW.dimension_key, NEW.brand, NEW.factory,
             NEW.event, NEW.batch)
            IS DISTINCT FROM (OLD.code, OLD.type, OLD.currency, OLD.dimension_key, OLD.brand,
             OLD.factory, OLD.event, OLD.batch) THEN
           RAISE EXCEPTION 'ledger: an account''s code, type, currency and dimensions never change';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_accounts_update BEFORE UPDATE ON ledger_accounts
       FOR EACH ROW EXECUTE FUNCTION ledger_accounts_update()""",
    """CREATE TRIGGER ledger_period_closes_change BEFORE UPDATE OR DELETE ON ledger_period_closes
       FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse()""",
]
_POSTGRESQL += [
    f"""CREATE TRIGGER {table}_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse()"""
    for table in ("ledger_entries", "ledger_postings", "ledger_accounts", "ledger_period_closes")
]


def install_guards(connection: Connection) -> None:
    """Create the ledger's triggers for this connection's dialect (once, from the migration)."""
    statements = _POSTGRESQL if connection.dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        # text() escapes the '%' of RAISE's format for psycopg's placeholder syntax.
        connection.execute(text(statement))
