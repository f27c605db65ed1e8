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
    deal = deal_create(buyer=buyer, offer=offer, quantity=1)
    return forget_the_opening(deal)


def forget_the_opening(deal: Deal) -> Deal:
    """The seller is told of the new deal; these tests start from nobody told of anything."""
    from django.core import mail

    from notifications.models import Notification
    from paylib.outbox.models import Message

    opened = Notification.objects.filter(deal=deal, kind="deal_opened")
    assert list(opened.values_list("user_id", flat=True)) == [deal.seller_id]
    Message.objects.filter(
        payload__notification__in=list(opened.values_list("pk", flat=True))
    ).delete()
    opened.delete()
    mail.outbox = []
    return deal
