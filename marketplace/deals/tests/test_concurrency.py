"""Buyers racing for the last items on real PostgreSQL: the row lock lets none oversell."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from conftest import seed_reference_data
from deals.models import Deal
from deals.services import deal_create, deal_transition
from deals.state import Role, Status
from offers.models import Offer
from paylib.errors import ApplicationError
from users.models import User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    seed_reference_data()  # the flush after each transactional test removes it


def race(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(i)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # collected, then asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_buyers_never_oversell(
    user: User, make_user: Callable[..., User], make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, quantity_available=5)
    buyers = [make_user() for _ in range(12)]
    errors = race(12, lambda i: deal_create(buyer=buyers[i], offer=offer, quantity=1))
    assert Deal.objects.count() == 5
    assert Offer.objects.get().quantity_available == 0
    assert len(errors) == 7
    assert all(isinstance(e, ApplicationError) for e in errors)


def test_concurrent_cancel_and_expiry_release_the_quantity_once(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, quantity_available=3)
    deal = deal_create(buyer=other_user, offer=offer, quantity=2)

    def move(i: int) -> None:
        if i % 2:
            deal_transition(deal=deal, to=Status.CANCELLED, actor=other_user, role=Role.BUYER)
        else:
            deal_transition(deal=deal, to=Status.EXPIRED, actor=None, role=Role.SYSTEM)

    errors = race(6, move)
    assert len(errors) == 5
    assert Offer.objects.get().quantity_available == 3
    assert deal.transitions.exclude(from_status="").count() == 1


def test_concurrent_buys_by_one_buyer_open_at_most_five_unpaid_deals(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    """Buys of different offers lock different offers: the buyer's row orders them."""
    offers = [make_offer(user, title=f"Lamp {n}", quantity_available=10) for n in range(12)]
    errors = race(12, lambda i: deal_create(buyer=other_user, offer=offers[i], quantity=1))
    assert Deal.objects.filter(buyer=other_user).count() == 5
    assert len(errors) == 7
    assert {getattr(e, "code", None) for e in errors} == {"too_many_unpaid_deals"}
    reserved = sum(10 - o.quantity_available for o in Offer.objects.all())
    assert reserved == 5
