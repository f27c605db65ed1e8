"""Holds: reserve, capture in full or in part, release, expire, refund; to the kopeck."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from holds import services
from holds.errors import (
    AlreadyCaptured,
    AlreadyVoided,
    ExceedsHoldAmount,
    HoldExpired,
    NotCaptured,
    RefundExceedsCapture,
)
from holds.models import Hold
from holds.selectors import hold_violations
from ledger.errors import InsufficientFunds
from ledger.models import Account, Posting
from ledger.services import Leg, posting_create

from .conftest import balances, fresh

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

Place = Callable[..., Hold]


def pay(payer: Account, payee: Account, amount: int) -> None:
    with transaction.atomic():
        posting_create(
            kind="payment", description="t", legs=[Leg(payer.pk, -amount), Leg(payee.pk, amount)]
        )


def test_a_hold_reserves_money_without_moving_it(place: Place, parties: dict[str, Any]) -> None:
    buyer, seller, platform = parties["buyer"], parties["seller"], parties["platform"]
    postings = Posting.objects.count()
    hold = place(buyer, (seller, 950_00), (platform, 50_00))
    assert hold.status == "pending"
    assert hold.amount == 1_000_00
    assert balances(buyer, seller, platform) == [(1_000_00, 1_000_00), (0, 0), (0, 0)]
    assert fresh(buyer).available == 0
    assert Posting.objects.count() == postings
    assert hold_violations() == []


def test_held_money_cannot_be_spent_or_held_twice(place: Place, parties: dict[str, Any]) -> None:
    buyer, seller = parties["buyer"], parties["seller"]
    place(buyer, (seller, 600_00))
    with pytest.raises(InsufficientFunds):
        place(buyer, (seller, 400_01))
    with pytest.raises(InsufficientFunds):
        pay(buyer, seller, 400_01)
    pay(buyer, seller, 400_00)  # what is not held can still be spent
    assert balances(buyer) == [(600_00, 600_00)]


def test_a_full_capture_pays_each_payee_his_part(place: Place, parties: dict[str, Any]) -> None:
    buyer, seller, platform = parties["buyer"], parties["seller"], parties["platform"]
    hold = place(buyer, (seller, 950_00), (platform, 50_00))
    captured = services.hold_capture(hold_id=hold.pk)
    assert captured.status == "captured"
    assert captured.captured == 1_000_00
    assert balances(buyer, seller, platform) == [(0, 0), (950_00, 0), (50_00, 0)]
    entries = sorted(captured.capture_posting.entries.values_list("amount", flat=True))  # type: ignore[union-attr]
    assert entries == [-1_000_00, 50_00, 950_00]
    assert hold_violations() == []


def test_a_partial_capture_returns_the_rest_and_keeps_the_proportion(
    place: Place, parties: dict[str, Any]
) -> None:
    buyer, seller, platform = parties["buyer"], parties["seller"], parties["platform"]
    hold = place(buyer, (seller, 950_00), (platform, 50_00))
    services.hold_capture(hold_id=hold.pk, amount=333_33)
    assert balances(buyer, seller, platform) == [(666_67, 0), (316_66, 0), (16_67, 0)]
    hold.refresh_from_db()
    assert hold.released == 666_67
    assert [leg.captured for leg in hold.legs.all()] == [316_66, 16_67]


@pytest.mark.parametrize("amount", [0, -1, 1_000_01])
def test_a_capture_outside_the_hold_is_refused_and_changes_nothing(
    place: Place, parties: dict[str, Any], amount: int
) -> None:
    buyer, seller = parties["buyer"], parties["seller"]
    hold = place(buyer, (seller, 1_000_00))
    with pytest.raises(ExceedsHoldAmount):
        services.hold_capture(hold_id=hold.pk, amount=amount)
    hold.refresh_from_db()
    assert hold.status == "pending"
    assert balances(buyer, seller) == [(1_000_00, 1_000_00), (0, 0)]


def test_a_void_releases_everything_and_ends_the_hold(
    place: Place, parties: dict[str, Any]
) -> None:
    buyer, seller = parties["buyer"], parties["seller"]
    hold = place(buyer, (seller, 700_00))
    services.hold_void(hold_id=hold.pk)
    assert balances(buyer, seller) == [(1_000_00, 0), (0, 0)]
    with pytest.raises(AlreadyVoided):
        services.hold_capture(hold_id=hold.pk)
    with pytest.raises(AlreadyVoided):
        services.hold_void(hold_id=hold.pk)


def test_a_captured_hold_cannot_be_captured_again_or_released(
    place: Place, parties: dict[str, Any]
) -> None:
    buyer, seller = parties["buyer"], parties["seller"]
    hold = place(buyer, (seller, 700_00))
    services.hold_capture(hold_id=hold.pk, amount=100_00)
    with pytest.raises(AlreadyCaptured):
        services.hold_capture(hold_id=hold.pk)
    with pytest.raises(AlreadyCaptured):
        services.hold_void(hold_id=hold.pk)
    assert balances(buyer, seller) == [(900_00, 0), (100_00, 0)]


def test_an_expired_hold_cannot_be_captured_and_the_attempt_marks_it_expired(
    place: Place, parties: dict[str, Any]
) -> None:
    buyer, seller = parties["buyer"], parties["seller"]
    hold = place(buyer, (seller, 700_00), ttl=timedelta(seconds=-1))
    with pytest.raises(HoldExpired):
        services.hold_capture(hold_id=hold.pk)
    hold.refresh_from_db()
    assert hold.status == "expired"
    assert balances(buyer, seller) == [(1_000_00, 0), (0, 0)]


def test_the_periodic_expiry_releases_only_holds_whose_time_is_up(
    place: Place, parties: dict[str, Any]
) -> None:
    buyer, seller = parties["buyer"], parties["seller"]
    late = place(buyer, (seller, 100_00), ttl=timedelta(seconds=-1))
    running = place(buyer, (seller, 100_00))
    assert services.holds_expire_due() == 1
    assert services.holds_expire_due() == 0
    assert Hold.objects.get(pk=late.pk).status == "expired"
    assert Hold.objects.get(pk=running.pk).status == "pending"
    assert balances(buyer) == [(1_000_00, 100_00)]
    later = timezone.now() + timedelta(hours=2)
    assert services.holds_expire_due(now=later) == 1


def test_refunds_return_the_commission_in_the_captured_proportion(
    place: Place, parties: dict[str, Any]
) -> None:
    buyer, seller, platform = parties["buyer"], parties["seller"], parties["platform"]
    hold = place(buyer, (seller, 950_00), (platform, 50_00))
    services.hold_capture(hold_id=hold.pk, amount=800_00)  # seller 760.00, platform 40.00
    services.refund_create(hold_id=hold.pk, amount=100_00)
    assert balances(buyer, seller, platform) == [(300_00, 0), (665_00, 0), (35_00, 0)]
    with pytest.raises(RefundExceedsCapture) as refused:
        services.refund_create(hold_id=hold.pk, amount=700_01)
    assert refused.value.extra == {"refundable": "700.00"}
    services.refund_create(hold_id=hold.pk, amount=700_00)
    assert balances(buyer, seller, platform) == [(1_000_00, 0), (0, 0), (0, 0)]
    hold.refresh_from_db()
    assert (hold.captured, hold.refunded) == (800_00, 800_00)
    assert hold_violations() == []


def test_a_refund_the_seller_cannot_cover_is_refused_whole(
    place: Place, parties: dict[str, Any], make_account: Callable[..., Account]
) -> None:
    buyer, seller, platform = parties["buyer"], parties["seller"], parties["platform"]
    hold = place(buyer, (seller, 950_00), (platform, 50_00))
    services.hold_capture(hold_id=hold.pk)
    pay(seller, make_account(), 900_00)  # the seller spent the money
    postings = Posting.objects.count()
    with pytest.raises(InsufficientFunds):
        services.refund_create(hold_id=hold.pk, amount=1_000_00)
    assert Posting.objects.count() == postings
    assert balances(buyer, seller, platform) == [(0, 0), (50_00, 0), (50_00, 0)]
    hold.refresh_from_db()
    assert hold.refunded == 0


def test_only_a_captured_hold_is_refunded(place: Place, parties: dict[str, Any]) -> None:
    hold = place(parties["buyer"], (parties["seller"], 100_00))
    with pytest.raises(NotCaptured):
        services.refund_create(hold_id=hold.pk, amount=1_00)


def test_reconcile_passes_with_holds_in_every_state(place: Place, parties: dict[str, Any]) -> None:
    buyer, seller, platform = parties["buyer"], parties["seller"], parties["platform"]
    services.hold_capture(hold_id=place(buyer, (seller, 90_00), (platform, 10_00)).pk)
    services.hold_void(hold_id=place(buyer, (seller, 50_00)).pk)
    place(buyer, (seller, 20_00))
    call_command("reconcile")


@pytest.mark.postgres
def test_the_database_refuses_held_money_that_no_hold_explains(
    parties: dict[str, Any],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL trigger")
    buyer = parties["buyer"]

    def hold_money_out_of_nowhere() -> None:
        with transaction.atomic():
            Account.objects.filter(pk=buyer.pk).update(held=10_00)
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(DatabaseError, match="pending holds sum"):
        hold_money_out_of_nowhere()


def test_the_database_refuses_holding_more_than_the_balance(parties: dict[str, Any]) -> None:
    buyer = parties["buyer"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=buyer.pk).update(held=1_000_01)
