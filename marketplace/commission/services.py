"""Changes of the default commission, each recorded in the history."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from users.models import User

from .models import SINGLETON_ID, CommissionChange, CommissionSetting


def commission_setting_update(
    *, percent: Decimal, minimum: int, actor: User | None
) -> CommissionSetting:
    """Set the default commission; a real change is recorded with who made it."""
    with transaction.atomic():
        CommissionSetting.objects.get_or_create(pk=SINGLETON_ID)
        setting = CommissionSetting.objects.select_for_update().get(pk=SINGLETON_ID)
        if setting.percent == percent and setting.minimum == minimum:
            return setting
        CommissionChange.objects.create(
            changed_by=actor,
            old_percent=setting.percent,
            new_percent=percent,
            old_minimum=setting.minimum,
            new_minimum=minimum,
        )
        setting.percent = percent
        setting.minimum = minimum
        setting.updated_by = actor
        setting.full_clean()
        setting.save(update_fields=["percent", "minimum", "updated_by", "updated_at"])
    return setting
