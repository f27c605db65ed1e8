"""PostgreSQL guards what is held, whatever code writes it.

At commit, every account whose ``held`` changed, and the payer of every hold placed or
resolved in the transaction, must hold exactly the sum of its pending holds. With the CHECK
constraint ``customer_available_not_negative`` (balance >= held), no hold, payment or
transfer can spend held money, and no held money can appear or vanish.

SQLite (the embedded default) relies on the service layer and ``manage.py reconcile``.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION holds_check_account_held(account bigint) RETURNS void AS $$
DECLARE
    stored bigint;
    pending bigint;
BEGIN
    SELECT held INTO stored FROM ledger_account WHERE id = account;
    SELECT COALESCE(SUM(amount), 0) INTO pending FROM holds_hold
     WHERE account_id = account AND status = 'pending';
    IF stored <> pending THEN
        RAISE EXCEPTION 'account % holds % but its pending holds sum to %',
            account, stored, pending USING ERRCODE = 'check_violation';
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION holds_check_held_of_account() RETURNS trigger AS $$
BEGIN
    PERFORM holds_check_account_held(NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION holds_check_held_of_payer() RETURNS trigger AS $$
BEGIN
    PERFORM holds_check_account_held(NEW.account_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_account_held_matches
    AFTER UPDATE OF held ON ledger_account
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION holds_check_held_of_account();

CREATE CONSTRAINT TRIGGER holds_hold_held_matches
    AFTER INSERT OR UPDATE ON holds_hold
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION holds_check_held_of_payer();

CREATE FUNCTION holds_refuse_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% keeps its history: DELETE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER holds_hold_no_delete BEFORE DELETE ON holds_hold
    FOR EACH ROW EXECUTE FUNCTION holds_refuse_delete();
CREATE TRIGGER holds_refund_no_delete BEFORE DELETE ON holds_refund
    FOR EACH ROW EXECUTE FUNCTION holds_refuse_delete();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS holds_refund_no_delete ON holds_refund;
DROP TRIGGER IF EXISTS holds_hold_no_delete ON holds_hold;
DROP TRIGGER IF EXISTS holds_hold_held_matches ON holds_hold;
DROP TRIGGER IF EXISTS ledger_account_held_matches ON ledger_account;
DROP FUNCTION IF EXISTS holds_refuse_delete();
DROP FUNCTION IF EXISTS holds_check_held_of_payer();
DROP FUNCTION IF EXISTS holds_check_held_of_account();
DROP FUNCTION IF EXISTS holds_check_account_held(bigint);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("holds", "0001_initial"), ("ledger", "0005_account_held")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
