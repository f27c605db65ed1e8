from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import SettlementAccount
from conftest import account_number
from offers import services
from offers.models import Category, Offer
from paylib.errors import ApplicationError
from users.models import User

pytestmark = pytest.mark.django_db


def create(seller: User, category: Category, **overrides: object) -> Offer:
    fields: dict[str, object] = {
        "title": "Bike",
        "description": "Red",
        "price": 100_00,
        "quantity": 2,
        "category": category,
    }
    fields.update(overrides)
    return services.offer_create(seller=seller, **fields)  # type: ignore[arg-type]


def test_a_seller_with_a_linked_account_publishes_an_offer(
    user: User, category: Category, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    offer = create(user, category, title="  Bike  ")
    assert (offer.title, offer.status, offer.quantity_available) == ("Bike", "active", 2)


def test_a_seller_without_a_linked_account_cannot_publish(user: User, category: Category) -> None:
    SettlementAccount.objects.create(user=user, number=account_number())  # pending only
    with pytest.raises(services.NoSettlementAccount):
        create(user, category)
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "  "},
        {"title": "Two\nlines"},
        {"title": "Tab\tinside"},
        {"price": 0},
        {"price": -5},
        {"quantity": 0},
        {"quantity": 1_000_001},
    ],
)
def test_bad_fields_are_refused(
    user: User,
    category: Category,
    make_linked_account: Callable[..., SettlementAccount],
    overrides: dict[str, object],
) -> None:
    make_linked_account(user)
    with pytest.raises(ApplicationError):
        create(user, category, **overrides)
    assert not Offer.objects.exists()


def test_the_seller_edits_his_offer(
    user: User, category: Category, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user)
    books = Category.objects.get(slug="books")
    services.offer_update(
        offer=offer,
        actor=user,
        title="Book",
        description="Old",
        price=5_00,
        quantity=0,
        category=books,
    )
    offer.refresh_from_db()
    assert (offer.title, offer.price, offer.quantity_available, offer.category) == (
        "Book",
        5_00,
        0,
        books,
    )


def test_nobody_else_edits_the_offer(
    user: User, other_user: User, category: Category, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user)
    with pytest.raises(ApplicationError):
        services.offer_update(
            offer=offer,
            actor=other_user,
            title="Mine",
            description="",
            price=1,
            quantity=1,
            category=category,
        )
    offer.refresh_from_db()
    assert offer.title == "Bicycle"


def test_pause_resume_close(user: User, make_offer: Callable[..., Offer]) -> None:
    offer = make_offer(user)
    assert services.offer_pause(offer=offer, actor=user).status == "paused"
    assert services.offer_resume(offer=offer, actor=user).status == "active"
    assert services.offer_close(offer=offer, actor=user).status == "closed"
    with pytest.raises(services.OfferNotEditable):
        services.offer_resume(offer=offer, actor=user)
    with pytest.raises(services.OfferNotEditable):
        services.offer_update(
            offer=offer,
            actor=user,
            title="Again",
            description="",
            price=1,
            quantity=1,
            category=offer.category,
        )
    offer.refresh_from_db()
    assert (offer.status, offer.title) == ("closed", "Bicycle")


def test_resuming_needs_a_linked_account(user: User, make_offer: Callable[..., Offer]) -> None:
    offer = make_offer(user, status="paused")
    SettlementAccount.objects.filter(user=user).delete()
    with pytest.raises(services.NoSettlementAccount):
        services.offer_resume(offer=offer, actor=user)
    offer.refresh_from_db()
    assert offer.status == "paused"
