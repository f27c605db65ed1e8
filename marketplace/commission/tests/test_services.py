from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commission.models import CommissionChange, CommissionSetting
from commission.selectors import commission_current
from commission.services import commission_setting_update
from conftest import client_for
from users.models import User

pytestmark = pytest.mark.django_db


def test_the_data_migration_sets_five_percent_without_minimum() -> None:
    setting = commission_current()
    assert (setting.percent, setting.minimum) == (Decimal("5.00"), 0)


def test_an_update_is_recorded_with_who_and_the_old_and_new_values(staff_user: User) -> None:
    commission_setting_update(percent=Decimal("7.50"), minimum=1_000, actor=staff_user)
    change = CommissionChange.objects.get()
    assert change.changed_by == staff_user
    assert (change.old_percent, change.new_percent) == (Decimal("5.00"), Decimal("7.50"))
    assert (change.old_minimum, change.new_minimum) == (0, 1_000)
    setting = commission_current()
    assert (setting.percent, setting.minimum, setting.updated_by) == (
        Decimal("7.50"),
        1_000,
        staff_user,
    )


def test_saving_the_same_values_records_nothing(staff_user: User) -> None:
    commission_setting_update(percent=Decimal("5.00"), minimum=0, actor=staff_user)
    assert not CommissionChange.objects.exists()


def test_the_admin_saves_through_the_service_and_records_history(staff_user: User) -> None:
    client = client_for(staff_user)
    url = reverse("admin:commission_commissionsetting_change", args=[1])
    response = client.post(url, {"percent": "3.25", "minimum": "10,50"})
    assert response.status_code == 302
    setting = CommissionSetting.objects.get()
    assert (setting.percent, setting.minimum) == (Decimal("3.25"), 1_050)
    assert CommissionChange.objects.get().changed_by == staff_user


@pytest.mark.parametrize(
    "data",
    [
        {"percent": "101", "minimum": "0"},
        {"percent": "-1", "minimum": "0"},
        {"percent": "5.123", "minimum": "0"},
        {"percent": "5", "minimum": "-3"},
        {"percent": "5", "minimum": "1.001"},
    ],
)
def test_the_admin_refuses_bad_values_and_changes_nothing(
    staff_user: User, data: dict[str, str]
) -> None:
    client = client_for(staff_user)
    url = reverse("admin:commission_commissionsetting_change", args=[1])
    response = client.post(url, data)
    assert response.status_code == 200
    assert commission_current().percent == Decimal("5.00")
    assert not CommissionChange.objects.exists()
