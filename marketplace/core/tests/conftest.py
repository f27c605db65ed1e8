"""The core tests' world: a buyer who owns a deal, offers and accounts; a stranger; staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from accounts.models import SettlementAccount
from conftest import FakeBank
from deals.models import Deal
from deals.services import deal_create
from offers.models import Offer
from users.models import User


@dataclass
class World:
    owner: User
    stranger: User
    staff: User
    offer: Offer
    deal: Deal
    account: SettlementAccount
    pending: SettlementAccount


@pytest.fixture
def world(
    make_user: Callable[..., User],
    make_offer: Callable[..., Offer],
    make_linked_account: Callable[..., SettlementAccount],
    fake_bank: FakeBank,
) -> World:
    seller, buyer = make_user(name="Seller"), make_user(name="Buyer")
    offer = make_offer(seller)
    deal = deal_create(buyer=buyer, offer=offer, quantity=1)
    owner_offer = make_offer(buyer, title="Buyer's own")
    account = SettlementAccount.objects.get(user=buyer)
    fake_bank.linked.add(account.number)
    pending = SettlementAccount.objects.create(
        user=buyer, number=make_linked_account(make_user()).number, bank_operation_id="op-x"
    )
    fake_bank.link_request(account_number=pending.number, idempotency_key="k")
    pending.bank_operation_id = "op-1"
    pending.save()
    # A second linked account, so that the owner (a seller too) may remove the first.
    make_linked_account(buyer, default=False)
    # "owner" is the buyer: he owns the deal, the accounts and owner_offer.
    return World(
        owner=buyer,
        stranger=make_user(name="Stranger"),
        staff=make_user(name="Staff", is_staff=True, is_superuser=True),
        offer=owner_offer,
        deal=deal,
        account=account,
        pending=pending,
    )
