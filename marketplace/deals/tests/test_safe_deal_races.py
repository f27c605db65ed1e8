"""Events racing on one deal on real PostgreSQL: a person and a timer, or staff and the buyer,
end in exactly one outcome and one bank call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from banking.models import BankCall
from conftest import seed_reference_data
from deals.actions import deal_confirm_receipt, deal_ship
from deals.disputes import dispute_open, dispute_resolve
from deals.models import Deal, Dispute
from deals.tests.conftest import FakePaymentBank
from deals.tests.test_concurrency import race
from deals.timers import deals_cancel_unshipped, deals_release_unconfirmed
from paylib.errors import ApplicationError
from paylib.outbox.models import Message
from users.models import User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
ROUNDS = 5


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    seed_reference_data()


def bank_calls(action: str) -> int:
    return BankCall.objects.filter(action=action, outcome="ok").count()


def run_both(first: Callable[[], object], second: Callable[[], object]) -> list[BaseException]:
    work = [first, second]
    return race(2, lambda i: work[i]())


def only_refusals(errors: list[BaseException]) -> None:
    assert all(isinstance(e, ApplicationError) for e in errors), errors


def test_the_buyer_confirming_as_the_automatic_release_fires_pays_once(
    make_held: Callable[[], Deal], bank: FakePaymentBank
) -> None:
    for _ in range(ROUNDS):
        deal = make_held()
        deal_ship(deal=deal, seller=deal.seller, method="in_person")
        deal.refresh_from_db()
        assert deal.confirm_by is not None
        with time_machine.travel(deal.confirm_by + timedelta(seconds=1), tick=True):
            errors = run_both(
                lambda d=deal: deal_confirm_receipt(deal=d, buyer=d.buyer),
                deals_release_unconfirmed,
            )
        only_refusals(errors)
        deal.refresh_from_db()
        assert deal.status == "completed"
        assert deal.transitions.filter(to_status="completed").count() == 1
        assert deal.released_amount == deal.amount
    assert bank_calls("hold_capture") == ROUNDS
    assert Message.objects.filter(kind="deals.money", done_at__isnull=False).count() == ROUNDS


def test_staff_resolving_as_the_buyer_confirms_ends_one_way_with_one_bank_call(
    make_held: Callable[[], Deal], bank: FakePaymentBank, staff: User
) -> None:
    outcomes = set()
    for _ in range(ROUNDS):
        deal = make_held()
        deal_ship(deal=deal, seller=deal.seller, method="in_person")
        dispute = dispute_open(deal=deal, buyer=deal.buyer, reason="other", message="Hm.")
        errors = run_both(
            lambda d=deal: deal_confirm_receipt(deal=d, buyer=d.buyer),
            lambda s=dispute: dispute_resolve(
                dispute=s, staff=staff, outcome="refund", reason="No proof of sending."
            ),
        )
        only_refusals(errors)
        assert len(errors) == 1
        deal.refresh_from_db()
        dispute.refresh_from_db()
        assert deal.status in ("completed", "refunded")
        expected = "release" if deal.status == "completed" else "refund"
        assert dispute.outcome == expected
        hold = bank.holds[deal.payments.get(status="succeeded").hold_id]
        assert hold.status == ("captured" if deal.status == "completed" else "voided")
        outcomes.add(deal.status)
    assert bank_calls("hold_capture") + bank_calls("hold_void") == ROUNDS
    assert Dispute.objects.filter(outcome="").count() == 0


def test_the_seller_shipping_as_the_window_closes_ends_one_way(
    make_held: Callable[[], Deal], bank: FakePaymentBank
) -> None:
    for _ in range(ROUNDS):
        deal = make_held()
        assert deal.ship_by is not None
        with time_machine.travel(deal.ship_by + timedelta(seconds=1), tick=True):
            errors = run_both(
                lambda d=deal: deal_ship(deal=d, seller=d.seller, method="in_person"),
                deals_cancel_unshipped,
            )
        only_refusals(errors)
        deal.refresh_from_db()
        assert deal.status == "cancelled"  # past the deadline the seller can only lose
        assert deal.shipped_at is None
    assert bank_calls("hold_void") == ROUNDS


def test_a_deal_shipped_just_before_the_timer_takes_it_is_not_cancelled(
    make_held: Callable[[], Deal], bank: FakePaymentBank
) -> None:
    deal = make_held()
    assert deal.ship_by is not None
    with time_machine.travel(deal.ship_by - timedelta(seconds=1), tick=False):
        deal_ship(deal=deal, seller=deal.seller, method="in_person")
    with time_machine.travel(deal.ship_by + timedelta(seconds=1)):
        assert deals_cancel_unshipped() == 0
    deal.refresh_from_db()
    assert deal.status == "shipped"
    assert bank.call_names().count("hold_void") == 0


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user(is_staff=True)


@pytest.fixture
def make_held(
    bank: FakePaymentBank,
    make_user: Callable[..., User],
    make_offer: Callable[..., Any],
    make_linked_account: Callable[..., Any],
) -> Callable[[], Deal]:
    """A new deal, paid and held, each call (a new buyer, the same seller)."""
    from deals.services import deal_create
    from payments import services
    from payments.tests.conftest import confirm_committed

    seller = make_user()
    make_linked_account(seller)
    offer = make_offer(seller, price=1_000_00, quantity_available=100)

    def make() -> Deal:
        buyer = make_user()
        account = make_linked_account(buyer)
        bank.balances[account.number] = 5_000_00
        deal = deal_create(buyer=buyer, offer=offer, quantity=1)
        payment = services.payment_start(deal=deal, buyer=buyer, account=account)
        confirm_committed(payment, bank.CODE)
        deal.refresh_from_db()
        assert deal.status == "held"
        return deal

    return make
