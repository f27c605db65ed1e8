from __future__ import annotations

from collections.abc import Callable

import pytest

from deals.models import Deal
from deals.services import deal_create
from offers.models import Offer
from users.models import User


@pytest.fixture
def offer(user: User, make_offer: Callable[..., Offer]) -> Offer:
    return make_offer(user, price=10_000, quantity_available=5)


@pytest.fixture
def make_deal(offer: Offer, other_user: User) -> Callable[..., Deal]:
    def make(quantity: int = 1, *, status: str = "created", buyer: User | None = None) -> Deal:
        deal = deal_create(buyer=buyer or other_user, offer=offer, quantity=quantity)
        if status != "created":
            Deal.objects.filter(pk=deal.pk).update(status=status)
            deal.refresh_from_db()
        return deal

    return make
