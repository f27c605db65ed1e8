from django.conf import settings
from django.db import migrations

from paylib.accounts import make_account_number


def create_cash_account(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    number = make_account_number(
        bik=settings.BANK_BIK, balance_account="20202", currency="810", serial=1
    )
    Account.objects.get_or_create(
        code="cash", defaults={"number": number, "kind": "internal", "name": "Cash"}
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_ledger_triggers")]

    operations = [migrations.RunPython(create_cash_account, migrations.RunPython.noop)]
