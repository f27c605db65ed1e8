# The confirmation's retry fields; the bank-call log moves to banking.BankCall, where the
# calls about account links and balances are recorded too.

from django.conf import settings
from django.db import migrations, models


def move_events(apps, schema_editor):
    PaymentEvent = apps.get_model("payments", "PaymentEvent")
    BankCall = apps.get_model("banking", "BankCall")
    events = list(PaymentEvent.objects.select_related("payment").order_by("id"))
    calls = BankCall.objects.bulk_create(
        BankCall(
            action=event.action,
            outcome=event.outcome,
            bank_code=event.bank_code,
            detail=event.detail,
            payment_id=event.payment_id,
            user_id=event.payment.buyer_id,
            number=event.payment.payer_number,
            operation_id=event.payment.bank_operation_id,
        )
        for event in events
    )
    for call, event in zip(calls, events):
        call.at = event.at  # the time of the call, not of this migration
    BankCall.objects.bulk_update(calls, ["at"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('banking', '0001_initial'),
        ('deals', '0002_initial'),
        ('payments', '0003_drop_notified_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='payment',
            name='code_refusal',
            field=models.CharField(blank=True, max_length=32, verbose_name='last code refused'),
        ),
        migrations.AddField(
            model_name='payment',
            name='code_sealed',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='payment',
            name='confirm_key',
            field=models.CharField(blank=True, max_length=64, verbose_name='confirmation key'),
        ),
        migrations.AddIndex(
            model_name='payment',
            index=models.Index(condition=models.Q(('status', 'confirming')), fields=['updated_at'], name='payment_confirming_since'),
        ),
        migrations.RunPython(move_events, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='PaymentEvent',
        ),
    ]
