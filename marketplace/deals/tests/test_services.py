from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commission.services import commission_setting_update
from deals.models import Deal, DealTransition
from deals.services import deal_create, deal_transition, deals_expire_unpaid
from deals.state import Role, Status
from deals.tasks import expire_unpaid_deals
from offers.models import Offer
from paylib.errors import ApplicationError
from users.models import User

pytestmark = pytest.mark.django_db


def test_opening_a_deal_freezes_the_amounts_and_reserves_the_quantity(
    offer: Offer, other_user: User, staff_user: User
) -> None:
    commission_setting_update(percent=Decimal("7.25"), minimum=0, actor=staff_user)
    deal = deal_create(buyer=other_user, offer=offer, quantity=3)
    assert (deal.unit_price, deal.amount) == (10_000, 30_000)
    assert deal.commission_percent == Decimal("7.25")
    assert (deal.commission_amount, deal.seller_net) == (2_175, 27_825)
    assert (deal.buyer, deal.seller, deal.offer_title) == (other_user, offer.seller, "Bicycle")
    assert deal.expires_at > timezone.now() + timedelta(hours=23)
    offer.refresh_from_db()
    assert offer.quantity_available == 2
    first = DealTransition.objects.get(deal=deal)
    assert (first.from_status, first.to_status, first.actor) == ("", "created", other_user)


def test_later_changes_of_price_and_commission_leave_the_deal_alone(
    offer: Offer, other_user: User, staff_user: User
) -> None:
    deal = deal_create(buyer=other_user, offer=offer, quantity=1)
    Offer.objects.filter(pk=offer.pk).update(price=99_999)
    commission_setting_update(percent=Decimal("50"), minimum=0, actor=staff_user)
    deal.refresh_from_db()
    assert (deal.amount, deal.commission_amount, deal.seller_net) == (10_000, 500, 9_500)


@pytest.mark.parametrize(
    ("quantity", "code"),
    [(0, "invalid_request"), (6, "not_enough_quantity"), (-1, "invalid_request")],
)
def test_impossible_quantities_are_refused(
    offer: Offer, other_user: User, quantity: int, code: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        deal_create(buyer=other_user, offer=offer, quantity=quantity)
    assert caught.value.code == code
    assert not Deal.objects.exists()
    assert Offer.objects.get().quantity_available == 5


def test_a_seller_cannot_buy_from_himself(offer: Offer, user: User) -> None:
    with pytest.raises(ApplicationError, match="yourself"):
        deal_create(buyer=user, offer=offer, quantity=1)
    assert not Deal.objects.exists()


@pytest.mark.parametrize("status", ["paused", "closed"])
def test_nobody_buys_from_an_offer_off_sale(offer: Offer, other_user: User, status: str) -> None:
    Offer.objects.filter(pk=offer.pk).update(status=status)
    with pytest.raises(ApplicationError):
        deal_create(buyer=other_user, offer=offer, quantity=1)
    assert not Deal.objects.exists()


@pytest.mark.parametrize(("to", "role"), [("cancelled", "buyer"), ("cancelled", "seller")])
def test_cancelling_gives_the_quantity_back(
    make_deal: Callable[..., Deal], to: str, role: str
) -> None:
    deal = make_deal(4)
    assert Offer.objects.get().quantity_available == 1
    actor = deal.buyer if role == "buyer" else deal.seller
    deal_transition(deal=deal, to=to, actor=actor, role=role)
    assert Offer.objects.get().quantity_available == 5


def test_unpaid_deals_expire_after_the_window_and_release_their_quantity(
    make_deal: Callable[..., Deal],
) -> None:
    due = make_deal(2)
    fresh = make_deal(1)
    failed = make_deal(1, status="payment_failed")
    paying = make_deal(1, status="awaiting_code")
    past = timezone.now() - timedelta(minutes=1)
    Deal.objects.filter(pk__in=[due.pk, failed.pk, paying.pk]).update(expires_at=past)
    assert expire_unpaid_deals.delay().get() == 2
    statuses = dict(Deal.objects.values_list("pk", "status"))
    assert statuses == {
        due.pk: "expired",
        fresh.pk: "created",
        failed.pk: "expired",
        paying.pk: "awaiting_code",
    }
    assert Offer.objects.get().quantity_available == 5 - 1 - 1
    step = DealTransition.objects.get(deal=due, to_status="expired")
    assert (step.role, step.actor) == (Role.SYSTEM, None)
    assert deals_expire_unpaid() == 0


def test_a_deal_paid_meanwhile_is_not_expired(make_deal: Callable[..., Deal]) -> None:
    deal = make_deal(1)
    Deal.objects.filter(pk=deal.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1), status=Status.HELD
    )
    assert deals_expire_unpaid() == 0
