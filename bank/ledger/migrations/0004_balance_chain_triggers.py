"""PostgreSQL also guards the cached balances, so a raw UPDATE cannot create money.

* Each new entry's ``balance_after`` must be the account's previous ``balance_after``
  plus the entry's amount: the running balance is a chain with no gaps.
* At commit, every account written in the transaction must hold exactly the
  ``balance_after`` of its newest entry (or zero without entries).

Both are deferred constraint triggers: they see the whole transaction, checked at commit.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION ledger_check_entry_chain() RETURNS trigger AS $$
DECLARE
    previous bigint;
BEGIN
    SELECT balance_after INTO previous FROM ledger_entry
     WHERE account_id = NEW.account_id AND id < NEW.id
     ORDER BY id DESC LIMIT 1;
    IF COALESCE(previous, 0) + NEW.amount <> NEW.balance_after THEN
        RAISE EXCEPTION 'entry % breaks the running balance of account %: % + % <> %',
            NEW.id, NEW.account_id, COALESCE(previous, 0), NEW.amount, NEW.balance_after
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_entry_chain
    AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_chain();

CREATE FUNCTION ledger_check_account_balance() RETURNS trigger AS $$
DECLARE
    latest bigint;
    current_balance bigint;
BEGIN
    SELECT balance INTO current_balance FROM ledger_account WHERE id = NEW.id;
    SELECT balance_after INTO latest FROM ledger_entry
     WHERE account_id = NEW.id ORDER BY id DESC LIMIT 1;
    IF current_balance <> COALESCE(latest, 0) THEN
        RAISE EXCEPTION 'account % holds % but its entries end at %',
            NEW.id, current_balance, COALESCE(latest, 0) USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_account_balance_matches
    AFTER INSERT OR UPDATE OF balance ON ledger_account
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_account_balance();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ledger_account_balance_matches ON ledger_account;
DROP TRIGGER IF EXISTS ledger_entry_chain ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_check_account_balance();
DROP FUNCTION IF EXISTS ledger_check_entry_chain();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_cash_account")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
