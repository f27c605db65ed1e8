from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from conftest import client_for
from deals.models import Deal, DealTransition
from deals.services import deal_create
from offers.models import Offer
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(user: User, other_user: User, make_offer: Callable[..., Offer]) -> Deal:
    return deal_create(buyer=other_user, offer=make_offer(user, title="=HYPERLINK()"), quantity=2)


def run_action(staff: User, model: str, action: str, pks: list[int]) -> bytes:
    client = client_for(staff)
    response = client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]},
        follow=True,
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_export_writes_the_selected_rows_and_defuses_formulas(
    staff_user: User, deal: Deal
) -> None:
    body = run_action(staff_user, "deals_deal", "export_csv", [deal.pk]).decode()
    header, row = body.strip().splitlines()
    assert header.startswith("id,offer_title,buyer__email")
    assert row.startswith(f"{deal.pk},'=HYPERLINK(),other@example.com")


def test_staff_cancel_deals_through_the_state_machine(staff_user: User, deal: Deal) -> None:
    run_action(staff_user, "deals_deal", "cancel_deals", [deal.pk])
    deal.refresh_from_db()
    assert deal.status == "cancelled"
    step = DealTransition.objects.get(deal=deal, to_status="cancelled")
    assert (step.actor, step.role) == (staff_user, "staff")
    assert Offer.objects.get().quantity_available == 5


def test_an_illegal_admin_move_is_refused_and_changes_nothing(staff_user: User, deal: Deal) -> None:
    Deal.objects.filter(pk=deal.pk).update(status="shipped")
    content = run_action(staff_user, "deals_deal", "cancel_deals", [deal.pk]).decode()
    assert "cannot go from" in content
    deal.refresh_from_db()
    assert deal.status == "shipped"


def test_the_deal_admin_cannot_change_money(staff_user: User, deal: Deal) -> None:
    client = client_for(staff_user)
    url = reverse("admin:deals_deal_change", args=[deal.pk])
    client.post(
        url,
        {
            "amount": "1",
            "status": "held",
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
        },
    )
    deal.refresh_from_db()
    assert (deal.amount, deal.status) == (300_000, "created")


@pytest.mark.parametrize(
    "model",
    ["offers_offer", "users_user", "accounts_settlementaccount", "commission_commissionchange"],
)
def test_every_changelist_exports_csv(staff_user: User, deal: Deal, model: str) -> None:
    from django.apps import apps

    label = model.replace("_", ".", 1)
    pks = list(apps.get_model(label).objects.values_list("pk", flat=True))
    if model == "commission_commissionchange":
        from decimal import Decimal

        from commission.services import commission_setting_update

        change = commission_setting_update(percent=Decimal(1), minimum=0, actor=staff_user)
        assert change
        pks = list(apps.get_model(label).objects.values_list("pk", flat=True))
    body = run_action(staff_user, model, "export_csv", pks).decode()
    assert len(body.strip().splitlines()) == len(pks) + 1
