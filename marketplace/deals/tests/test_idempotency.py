"""A double submit of a form that creates something creates it once: Buy opens one deal
and reserves its quantity once, Publish makes one offer. On real PostgreSQL, with the two
submissions sent at the same moment."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SettlementAccount
from conftest import client_for, form_key, seed_reference_data
from deals.models import Deal
from deals.tests.test_concurrency import race
from offers.models import Category, Offer
from users.models import User


def _buy(client: Client, offer: Offer, key: str, quantity: int = 2) -> str:
    response = client.post(
        reverse("deals:create", args=[offer.pk]), {"quantity": quantity, "idempotency_key": key}
    )
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


@pytest.mark.django_db
def test_buy_sent_twice_opens_one_deal(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, quantity_available=5)
    client, key = client_for(other_user), form_key()
    first, second = _buy(client, offer, key), _buy(client, offer, key)
    assert first == second == reverse("deals:detail", args=[Deal.objects.get().pk])
    assert Offer.objects.get().quantity_available == 3
    # A new form (a new key) is a new purchase.
    _buy(client, offer, form_key())
    assert Deal.objects.count() == 2


@pytest.mark.django_db
def test_the_offer_page_renders_a_new_key_each_time(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user)
    client = client_for(other_user)
    keys = {
        client.get(reverse("offers:detail", args=[offer.pk]))
        .context["deal_form"]["idempotency_key"]
        .value()
        for _ in range(3)
    }
    assert len(keys) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "not-a-uuid"])
def test_buy_without_a_valid_key_is_refused_and_changes_nothing(
    user: User, other_user: User, make_offer: Callable[..., Offer], key: str
) -> None:
    offer = make_offer(user, quantity_available=5)
    response = client_for(other_user).post(
        reverse("deals:create", args=[offer.pk]), {"quantity": "1", "idempotency_key": key}
    )
    assert response.status_code == 400
    assert "reload the page" in response.content.decode()
    assert not Deal.objects.exists()
    assert Offer.objects.get().quantity_available == 5


@pytest.mark.django_db
def test_publish_sent_twice_makes_one_offer(
    user: User, category: Category, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    client = client_for(user)
    data = {
        "title": "Lamp",
        "price": "10",
        "quantity": "1",
        "category": str(category.pk),
        "idempotency_key": form_key(),
    }
    first = client.post(reverse("offers:create"), data)
    second = client.post(reverse("offers:create"), data)
    assert first["Location"] == second["Location"]
    assert Offer.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
class TestAtTheSameMoment:
    @pytest.fixture(autouse=True)
    def reference_data(self, transactional_db: None) -> None:
        seed_reference_data()

    def test_two_concurrent_buys_with_one_key_open_one_deal_and_reserve_once(
        self, user: User, other_user: User, make_offer: Callable[..., Offer]
    ) -> None:
        offer = make_offer(user, quantity_available=5)
        key = form_key()
        clients = [client_for(other_user) for _ in range(4)]
        locations: list[str] = []
        errors = race(4, lambda i: locations.append(_buy(clients[i], offer, key)))
        assert errors == []
        deal = Deal.objects.get()
        assert set(locations) == {reverse("deals:detail", args=[deal.pk])}
        assert Offer.objects.get().quantity_available == 3
        assert deal.transitions.count() == 1

    def test_one_key_sent_at_once_for_two_offers_opens_one_deal(
        self, user: User, other_user: User, make_offer: Callable[..., Offer]
    ) -> None:
        # Different offers lock different rows: the unique constraint decides, not the lock.
        offers = [make_offer(user, quantity_available=5) for _ in range(2)]
        key = form_key()
        clients = [client_for(other_user) for _ in range(2)]
        locations: list[str] = []
        errors = race(2, lambda i: locations.append(_buy(clients[i], offers[i], key)))
        assert errors == []
        assert Deal.objects.count() == 1
        assert len(set(locations)) == 1
        assert sorted(o.quantity_available for o in Offer.objects.all()) == [3, 5]

    def test_two_concurrent_publishes_with_one_key_make_one_offer(
        self,
        user: User,
        category: Category,
        make_linked_account: Callable[..., SettlementAccount],
    ) -> None:
        make_linked_account(user)
        data = {
            "title": "Lamp",
            "price": "10",
            "quantity": "1",
            "category": str(category.pk),
            "idempotency_key": form_key(),
        }
        clients = [client_for(user) for _ in range(4)]
        answers: list[int] = []
        errors = race(
            4, lambda i: answers.append(clients[i].post(reverse("offers:create"), data).status_code)
        )
        assert errors == []
        assert answers == [302] * 4
        assert Offer.objects.count() == 1
