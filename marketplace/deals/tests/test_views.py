from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import client_for, db_snapshot, form_key
from deals.models import Deal
from offers.models import Offer
from users.models import User

pytestmark = pytest.mark.django_db


def test_a_buyer_opens_a_deal_from_the_offer_page(offer: Offer, other_user: User) -> None:
    response = client_for(other_user).post(
        reverse("deals:create", args=[offer.pk]), {"quantity": "2", "idempotency_key": form_key()}
    )
    deal = Deal.objects.get()
    assert response["Location"] == reverse("deals:detail", args=[deal.pk])
    assert (deal.buyer, deal.quantity, deal.amount) == (other_user, 2, 20_000)


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("0", "at least one"), ("6", "Only 5 left"), ("", "how many"), ("two", "whole number")],
)
def test_bad_quantities_change_nothing(
    offer: Offer, other_user: User, quantity: str, message: str
) -> None:
    client = client_for(other_user)
    before = db_snapshot()
    response = client.post(
        reverse("deals:create", args=[offer.pk]),
        {"quantity": quantity, "idempotency_key": form_key()},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert db_snapshot() == before


def test_the_seller_cannot_open_a_deal_on_his_offer(offer: Offer, user: User) -> None:
    client = client_for(user)
    before = db_snapshot()
    response = client.post(
        reverse("deals:create", args=[offer.pk]), {"quantity": "1", "idempotency_key": form_key()}
    )
    assert response.status_code == 400
    assert "yourself" in response.content.decode()
    assert db_snapshot() == before


def test_the_buyer_sees_what_he_pays_and_the_seller_his_commission_and_net(
    make_deal: Callable[..., Deal],
) -> None:
    deal = make_deal(3)
    buyer_page = client_for(deal.buyer).get(reverse("deals:detail", args=[deal.pk]))
    seller_page = client_for(deal.seller).get(reverse("deals:detail", args=[deal.pk]))
    buyer_text, seller_text = buyer_page.content.decode(), seller_page.content.decode()
    assert "You pay" in buyer_text
    assert "300.00\xa0₽" in buyer_text
    assert "commission" not in buyer_text.lower().replace("platform commission", "")
    assert "Platform commission" not in buyer_text
    assert "15.00\xa0₽" in seller_text
    assert "285.00\xa0₽" in seller_text
    assert "5.00\xa0%" in seller_text
    assert f'href="/payments/deal/{deal.pk}/"' in buyer_text
    assert ">Pay<" in buyer_text
    assert "/payments/" not in seller_text


def test_amounts_are_formatted_in_russian_on_russian_pages(make_deal: Callable[..., Deal]) -> None:
    deal = make_deal(1, status="created")
    from deals.models import Deal as DealModel

    DealModel.objects.filter(pk=deal.pk).update(
        unit_price=123_456_78, amount=123_456_78, commission_amount=6_172_84, seller_net=117_283_94
    )
    page = client_for(deal.seller).get(f"/ru/deals/{deal.pk}/").content.decode()
    assert "123\xa0456,78\xa0₽" in page
    assert "Комиссия площадки" in page


def test_the_buyer_cancels_and_the_timeline_shows_it(make_deal: Callable[..., Deal]) -> None:
    deal = make_deal(2)
    client = client_for(deal.buyer)
    response = client.post(reverse("deals:cancel", args=[deal.pk]), follow=True)
    deal.refresh_from_db()
    assert deal.status == "cancelled"
    assert Offer.objects.get().quantity_available == 5
    text = response.content.decode()
    assert "The deal is cancelled." in text
    assert "Cancelled" in text
    assert "Awaiting payment" in text


def test_the_buyer_confirms_receipt_of_a_shipped_deal(make_deal: Callable[..., Deal]) -> None:
    deal = make_deal(1, status="shipped")
    client = client_for(deal.buyer)
    page = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert reverse("deals:complete", args=[deal.pk]) in page
    assert reverse("deals:cancel", args=[deal.pk]) not in page
    client.post(reverse("deals:complete", args=[deal.pk]))
    deal.refresh_from_db()
    assert deal.status == "completed"


def test_the_seller_cannot_confirm_receipt(make_deal: Callable[..., Deal]) -> None:
    deal = make_deal(1, status="shipped")
    client = client_for(deal.seller)
    before = db_snapshot()
    response = client.post(reverse("deals:complete", args=[deal.pk]), follow=True)
    assert "You cannot act on this deal in that role." in response.content.decode()
    assert db_snapshot() == before


def test_my_deals_lists_both_sides_and_filters(
    make_deal: Callable[..., Deal],
    offer: Offer,
    other_user: User,
    user: User,
    make_offer: Callable[..., Offer],
) -> None:
    sale = make_deal(1)
    own_offer = make_offer(other_user, title="Lamp")
    from deals.services import deal_create

    purchase = deal_create(buyer=user, offer=own_offer, quantity=1)
    client = client_for(user)

    def listed(**params: str) -> set[int]:
        response = client.get(reverse("deals:list"), params)
        return {d.pk for d in response.context["page"].object_list}

    assert listed() == {sale.pk, purchase.pk}
    assert listed(role="buyer") == {purchase.pk}
    assert listed(role="seller") == {sale.pk}
    assert listed(status="cancelled") == set()
    assert listed(role="nonsense") == {sale.pk, purchase.pk}


def buy(client: Client, offer: Offer, key: str | None = None) -> Any:
    return client.post(
        reverse("deals:create", args=[offer.pk]),
        {"quantity": "1", "idempotency_key": key or form_key()},
    )


def test_a_buyer_may_hold_at_most_five_unpaid_deals(
    user: User,
    other_user: User,
    make_user: Callable[..., User],
    make_offer: Callable[..., Offer],
) -> None:
    """Each unpaid deal reserves items: one buyer cannot reserve an offer away from all."""
    offers = [make_offer(user, title=f"Chair {n}", quantity_available=50) for n in range(3)]
    client = client_for(other_user)
    first_key = form_key()
    assert buy(client, offers[0], first_key).status_code == 302
    for n in range(4):
        assert buy(client, offers[n % 3]).status_code == 302
    deals = list(Deal.objects.order_by("pk"))
    Deal.objects.filter(pk=deals[1].pk).update(status="awaiting_code")
    Deal.objects.filter(pk=deals[2].pk).update(status="payment_failed")
    before = db_snapshot()
    refused = buy(client, offers[2])
    assert refused.status_code == 400
    assert "You have 5 deals that are not paid yet" in refused.content.decode()
    assert db_snapshot() == before
    # A double click of an earlier Buy still finds its deal.
    again = buy(client, offers[0], first_key)
    assert again["Location"] == reverse("deals:detail", args=[deals[0].pk])
    russian = client.post(
        "/ru" + reverse("deals:create", args=[offers[2].pk]),
        {"quantity": "1", "idempotency_key": form_key()},
    )
    assert "У вас 5 неоплаченных сделок" in russian.content.decode()
    # Another buyer is not held up by him.
    assert buy(client_for(make_user()), offers[2]).status_code == 302
    # Paid, cancelled and expired deals take nothing of his five.
    Deal.objects.filter(pk=deals[0].pk).update(status="paid")
    assert buy(client, offers[2]).status_code == 302
    Deal.objects.filter(pk=deals[1].pk).update(status="cancelled")
    Deal.objects.filter(pk=deals[2].pk).update(status="expired")
    assert buy(client, offers[2]).status_code == 302
    assert buy(client, offers[1]).status_code == 302
    assert buy(client, offers[1]).status_code == 400
