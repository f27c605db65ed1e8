"""A price the minimum commission would swallow whole is refused: the seller must receive
something. At the offer form, and again when a deal is opened (the setting may have changed
since the offer was priced)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import SettlementAccount
from commission.selectors import CommissionTakesAll, commission_split_checked
from commission.services import commission_setting_update
from conftest import client_for, db_snapshot, form_key
from deals.models import Deal
from offers.models import Category, Offer
from users.models import User

pytestmark = pytest.mark.django_db


def _offer_form(category: Category, price: str) -> dict[str, str]:
    return {
        "title": "Pen",
        "price": price,
        "quantity": "5",
        "category": str(category.pk),
        "idempotency_key": form_key(),
    }


@pytest.fixture
def minimum_100_roubles() -> None:
    commission_setting_update(percent=Decimal("5.00"), minimum=100_00, actor=None)


@pytest.mark.usefixtures("minimum_100_roubles")
@pytest.mark.parametrize("price", ["100", "99.99", "1"])
def test_the_offer_form_refuses_a_price_the_minimum_takes_whole(
    user: User,
    category: Category,
    make_linked_account: Callable[..., SettlementAccount],
    price: str,
) -> None:
    make_linked_account(user)
    client = client_for(user)
    before = db_snapshot()
    response = client.post(reverse("offers:create"), _offer_form(category, price))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["price"])
    assert "minimum commission is 100.00" in errors
    assert db_snapshot() == before


@pytest.mark.usefixtures("minimum_100_roubles")
def test_a_price_above_the_minimum_is_published(
    user: User, category: Category, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    response = client_for(user).post(reverse("offers:create"), _offer_form(category, "100.01"))
    assert response.status_code == 302
    assert Offer.objects.get().price == 100_01


@pytest.mark.usefixtures("minimum_100_roubles")
def test_editing_down_to_the_minimum_is_refused(
    user: User, category: Category, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, price=500_00)
    response = client_for(user).post(
        reverse("offers:edit", args=[offer.pk]), _offer_form(category, "100")
    )
    assert response.status_code == 200
    assert "price" in response.context["form"].errors
    offer.refresh_from_db()
    assert offer.price == 500_00


def test_a_deal_is_refused_when_the_minimum_rose_above_the_price(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, price=50_00, quantity_available=5)
    commission_setting_update(percent=Decimal("5.00"), minimum=100_00, actor=None)
    client = client_for(other_user)
    before = db_snapshot()
    response = client.post(
        reverse("deals:create", args=[offer.pk]), {"quantity": "2", "idempotency_key": form_key()}
    )
    assert response.status_code == 400
    assert "minimum commission is 100.00" in response.content.decode()
    assert db_snapshot() == before
    # Three items leave the seller 50 roubles: that deal may be opened.
    response = client.post(
        reverse("deals:create", args=[offer.pk]), {"quantity": "3", "idempotency_key": form_key()}
    )
    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.amount, deal.commission_amount, deal.seller_net) == (150_00, 100_00, 50_00)


def test_a_hundred_percent_commission_is_refused_too() -> None:
    commission_setting_update(percent=Decimal("100.00"), minimum=0, actor=None)
    with pytest.raises(CommissionTakesAll) as caught:
        commission_split_checked(10_00)
    assert "whole sum" in caught.value.message


def test_the_minimum_is_shown_in_russian_on_russian_pages(
    user: User, category: Category, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    commission_setting_update(percent=Decimal("5.00"), minimum=1_000_00, actor=None)
    make_linked_account(user)
    response = client_for(user).post("/ru/offers/new/", _offer_form(category, "1000"))
    assert "1\u00a0000,00\u00a0₽" in " ".join(response.context["form"].errors["price"])
