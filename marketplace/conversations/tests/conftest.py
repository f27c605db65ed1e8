from __future__ import annotations

from collections.abc import Callable

import pytest

from deals.models import Deal
from deals.services import deal_create
from offers.models import Offer
from users.models import User


@pytest.fixture
def seller(make_user: Callable[..., User]) -> User:
    return make_user("seller@example.com", name="Semyon Seller", language="ru")


@pytest.fixture
def buyer(make_user: Callable[..., User]) -> User:
    return make_user("buyer@example.com", name="Boris Buyer", language="en")


@pytest.fixture
def deal(seller: User, buyer: User, make_offer: Callable[..., Offer]) -> Deal:
    offer = make_offer(seller, title="Bicycle", price=123_456, quantity_available=3)
    return deal_create(buyer=buyer, offer=offer, quantity=1)
