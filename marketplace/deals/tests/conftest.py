from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import SettlementAccount
from deals.models import Deal
from deals.services import deal_create
from offers.models import Offer
from payments.tests import conftest as payments_fixtures
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


# The safe deal's tests pay through the payment flow against the fake bank of payments'.
FakePaymentBank = payments_fixtures.FakePaymentBank
committed = payments_fixtures.committed
confirm_committed = payments_fixtures.confirm_committed
bank = payments_fixtures.bank
buyer = payments_fixtures.buyer
seller = payments_fixtures.seller
buyer_account = payments_fixtures.buyer_account
deal = payments_fixtures.deal


@pytest.fixture
def held(deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank) -> Deal:
    """The deal paid: the bank holds its amount on the buyer's account."""
    from payments import services

    payment = services.payment_start(deal=deal, buyer=buyer, account=buyer_account)
    confirm_committed(payment, bank.CODE)
    deal.refresh_from_db()
    assert deal.status == "held"
    return deal
