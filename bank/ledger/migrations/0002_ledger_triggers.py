"""PostgreSQL guards the ledger itself, whatever code writes to it.

* A deferred constraint trigger checks, at commit, that the entries of every posting
  touched in the transaction sum to zero and that there are at least two of them.
* Entries and postings are append-only: UPDATE and DELETE raise an error.

SQLite (the embedded default) relies on the service layer and ``manage.py reconcile``.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION ledger_check_posting_balanced() RETURNS trigger AS $$
DECLARE
    total bigint;
    n integer;
BEGIN
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, n
      FROM ledger_entry WHERE posting_id = NEW.posting_id;
    IF total <> 0 OR n < 2 THEN
        RAISE EXCEPTION 'posting % is unbalanced: % entries summing to %',
            NEW.posting_id, n, total USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_entry_balanced
    AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_posting_balanced();

CREATE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_posting_append_only
    BEFORE UPDATE OR DELETE ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ledger_posting_append_only ON ledger_posting;
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_refuse_change();
DROP FUNCTION IF EXISTS ledger_check_posting_balanced();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
