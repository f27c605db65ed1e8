"""Reads of the commission in force."""

from __future__ import annotations

from .models import SINGLETON_ID, CommissionSetting


def commission_current() -> CommissionSetting:
    """The setting in force; created with the defaults if the data migration never ran."""
    setting, _ = CommissionSetting.objects.get_or_create(pk=SINGLETON_ID)
    return setting
