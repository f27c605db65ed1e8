from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import SettlementAccount
from conftest import client_for, db_snapshot, form_key
from offers.models import Category, Offer
from users.models import User

pytestmark = pytest.mark.django_db


def form_data(the_category: Category, **overrides: str) -> dict[str, str]:
    data = {
        "title": "Road bike",
        "description": "Fast",
        "price": "15000,50",
        "quantity": "3",
        "category": str(the_category.pk),
        "idempotency_key": form_key(),
    }
    data.update(overrides)
    return data


def test_create_page_asks_for_a_bank_account_first(user: User) -> None:
    response = client_for(user).get(reverse("offers:create"))
    content = response.content.decode()
    assert "link the bank account" in content
    assert reverse("accounts:add") in content


def test_creating_an_offer(
    user: User, category: Category, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    response = client_for(user).post(reverse("offers:create"), form_data(category))
    offer = Offer.objects.get()
    assert response["Location"] == reverse("offers:detail", args=[offer.pk])
    assert (offer.seller, offer.price, offer.quantity_available) == (user, 1_500_050, 3)


def test_creating_without_a_linked_account_changes_nothing(user: User, category: Category) -> None:
    client = client_for(user)
    before = db_snapshot()
    response = client.post(reverse("offers:create"), form_data(category))
    assert response.status_code == 200
    assert "Link a bank account first" in response.content.decode()
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"title": "   "}, "title", "Enter a title."),
        ({"title": "Road\nbike"}, "title", "one line"),
        ({"title": "Road\r\nbike"}, "title", "one line"),
        ({"title": "Road\u2028bike"}, "title", "one line"),
        ({"price": "0"}, "price", "greater than zero"),
        ({"price": "-10"}, "price", "greater than zero"),
        ({"price": "10.001"}, "price", "two decimal places"),
        ({"price": "ten"}, "price", "Enter a number"),
        ({"price": "1e3"}, "price", "Enter a number"),
        ({"price": "12.5.0"}, "price", "Enter a number"),
        ({"price": "NaN"}, "price", "Enter a number"),
        ({"quantity": "0"}, "quantity", "at least one"),
        ({"quantity": "1000001"}, "quantity", "1000000"),
        ({"quantity": "-1"}, "quantity", ""),
        ({"category": "999999"}, "category", ""),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    user: User,
    category: Category,
    make_linked_account: Callable[..., SettlementAccount],
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    make_linked_account(user)
    client = client_for(user)
    before = db_snapshot()
    response = client.post(reverse("offers:create"), form_data(category, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert db_snapshot() == before


def test_editing_an_offer(user: User, category: Category, make_offer: Callable[..., Offer]) -> None:
    offer = make_offer(user)
    client = client_for(user)
    assert client.get(reverse("offers:edit", args=[offer.pk])).status_code == 200
    response = client.post(
        reverse("offers:edit", args=[offer.pk]), form_data(category, quantity="0", price="99")
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.price, offer.quantity_available) == (9_900, 0)


def test_editing_with_bad_input_changes_nothing(
    user: User, category: Category, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user)
    client = client_for(user)
    before = db_snapshot()
    response = client.post(reverse("offers:edit", args=[offer.pk]), form_data(category, price="0"))
    assert response.status_code == 200
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("pause", "active", "paused"),
        ("resume", "paused", "active"),
        ("close", "active", "closed"),
        ("close", "paused", "closed"),
    ],
)
def test_status_buttons(
    user: User, make_offer: Callable[..., Offer], action: str, start: str, end: str
) -> None:
    offer = make_offer(user, status=start)
    response = client_for(user).post(reverse(f"offers:{action}", args=[offer.pk]))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == end


def test_a_refused_status_change_says_why(user: User, make_offer: Callable[..., Offer]) -> None:
    offer = make_offer(user, status="closed")
    response = client_for(user).post(reverse("offers:pause", args=[offer.pk]), follow=True)
    assert "cannot change" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == "closed"


def test_offer_page_shows_the_seller_and_his_other_offers(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, title="Bike")
    make_offer(user, title="Helmet")
    make_offer(user, title="Hidden", status="paused")
    response = client_for(other_user).get(reverse("offers:detail", args=[offer.pk]))
    content = response.content.decode()
    assert "Olga Owner" in content
    assert "Helmet" in content
    assert "Hidden" not in content
    assert reverse("deals:create", args=[offer.pk]) in content


def test_the_seller_sees_no_buy_form_on_his_offer(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user)
    response = client_for(user).get(reverse("offers:detail", args=[offer.pk]))
    assert reverse("deals:create", args=[offer.pk]) not in response.content.decode()


def test_my_offers_lists_only_mine(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    make_offer(user, title="Mine")
    make_offer(other_user, title="Theirs")
    content = client_for(user).get(reverse("offers:mine")).content.decode()
    assert "Mine" in content
    assert "Theirs" not in content
