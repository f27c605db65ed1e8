"""Holds under concurrency on PostgreSQL: threads with their own connections, at once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from holds import services
from holds.errors import HoldError
from holds.models import Hold
from ledger.errors import InsufficientFunds
from ledger.models import Account
from ledger.services import Leg, posting_create

from .conftest import balances

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

Place = Callable[..., Hold]


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls together (each in its own thread and connection); their results or
    the exceptions they raised, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return call()
        except Exception as error:  # the outcome, refusals included, is what is checked
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_concurrent_holds_from_one_account_succeed_exactly_as_far_as_it_covers(
    place: Place, parties: dict[str, Any]
) -> None:
    buyer, seller = parties["buyer"], parties["seller"]  # 1,000.00 available
    results = at_once(*[lambda: place(buyer, (seller, 70_00)) for _ in range(24)])
    placed = [r for r in results if isinstance(r, Hold)]
    assert len(placed) == 1_000_00 // 70_00  # 14
    assert all(isinstance(r, InsufficientFunds) for r in results if not isinstance(r, Hold))
    assert balances(buyer) == [(1_000_00, 14 * 70_00)]
    call_command("reconcile")


def test_capture_void_and_expiry_racing_on_one_hold_have_exactly_one_outcome(
    place: Place, parties: dict[str, Any]
) -> None:
    buyer, seller, platform = parties["buyer"], parties["seller"], parties["platform"]
    outcomes: Counter[str] = Counter()
    for _round in range(50):
        hold = place(buyer, (seller, 9_00), (platform, 1_00))
        later = timezone.now() + timedelta(days=1)  # the sweep's clock says time is up
        capture, void, expire = at_once(
            lambda h=hold: services.hold_capture(hold_id=h.pk, amount=6_00),
            lambda h=hold: services.hold_void(hold_id=h.pk),
            lambda h=hold, t=later: services.hold_expire(hold_id=h.pk, now=t),
        )
        won = [
            isinstance(capture, Hold),
            isinstance(void, Hold),
            expire is True,
        ]
        assert sum(won) == 1, (capture, void, expire)
        for loser in (capture, void):
            assert isinstance(loser, Hold | HoldError), loser
        hold.refresh_from_db()
        outcomes[hold.status] += 1
        assert hold.status == ("captured", "voided", "expired")[won.index(True)]
        assert balances(buyer)[0][1] == 0  # nothing stays held
    assert sum(outcomes.values()) == 50
    captures = outcomes["captured"]
    assert balances(buyer, seller, platform) == [
        (1_000_00 - captures * 6_00, 0),
        (captures * 5_40, 0),
        (captures * 60, 0),
    ]
    call_command("reconcile")


def test_a_refund_racing_the_sellers_spending_never_drives_anyone_below_zero(
    place: Place, parties: dict[str, Any], make_account: Callable[..., Account]
) -> None:
    buyer, platform = parties["buyer"], parties["platform"]
    refunded = 0
    for _round in range(15):
        seller, shop = make_account(), make_account()
        hold = place(buyer, (seller, 45_00), (platform, 5_00))
        services.hold_capture(hold_id=hold.pk)

        def spend(seller: Account = seller, shop: Account = shop) -> None:
            with transaction.atomic():
                posting_create(
                    kind="payment",
                    description="the seller buys something with the money",
                    legs=[Leg(seller.pk, -45_00), Leg(shop.pk, 45_00)],
                )

        refund, spent = at_once(
            lambda h=hold: services.refund_create(hold_id=h.pk, amount=50_00), spend
        )
        # The seller's 45.00 went one way or the other, never both.
        assert isinstance(refund, InsufficientFunds) != isinstance(spent, InsufficientFunds)
        refunded += 0 if isinstance(refund, Exception) else 50_00
        for account in (buyer, seller, platform, shop):
            account.refresh_from_db()
            assert account.balance >= account.held >= 0
    assert balances(buyer) == [(1_000_00 - 15 * 50_00 + refunded, 0)]
    call_command("reconcile")
