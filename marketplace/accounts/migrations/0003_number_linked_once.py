# A bank account is linked to one marketplace user at most.

from django.conf import settings
from django.db import migrations, models


def keep_first_link(apps, schema_editor):
    """Where several users linked one account, the first link stays; the later ones go back
    to pending (their users can remove them), and each user keeps a default payout account
    if he has another linked one."""
    SettlementAccount = apps.get_model("accounts", "SettlementAccount")
    linked = SettlementAccount.objects.filter(status="linked").order_by("linked_at", "id")
    seen = set()
    for account in linked:
        if account.number not in seen:
            seen.add(account.number)
            continue
        was_default = account.is_default_payout
        account.status = "pending"
        account.is_default_payout = False
        account.save(update_fields=["status", "is_default_payout"])
        if was_default:
            successor = (
                SettlementAccount.objects.filter(user_id=account.user_id, status="linked")
                .order_by("linked_at", "id")
                .first()
            )
            if successor is not None:
                successor.is_default_payout = True
                successor.save(update_fields=["is_default_payout"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(keep_first_link, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='settlementaccount',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'linked')), fields=('number',), name='accounts_number_linked_once'),
        ),
    ]
