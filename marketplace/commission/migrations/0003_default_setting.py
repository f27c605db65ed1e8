from decimal import Decimal

from django.db import migrations


def create_default(apps, schema_editor):
    CommissionSetting = apps.get_model("commission", "CommissionSetting")
    CommissionSetting.objects.get_or_create(
        pk=1, defaults={"percent": Decimal("5.00"), "minimum": 0}
    )


class Migration(migrations.Migration):
    dependencies = [("commission", "0002_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
