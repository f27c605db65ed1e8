"""The safe deal from the payment to its end, against the fake bank: every move, what it does
with the hold, and what the parties may not do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from banking.models import BankCall
from conftest import db_snapshot
from deals.actions import deal_cancel, deal_confirm_receipt, deal_refund, deal_ship
from deals.disputes import dispute_answer, dispute_open, dispute_resolve
from deals.models import Deal, Dispute, Refund
from deals.money import deal_money_settle, deals_reconcile
from deals.services import DeadlinePassed
from deals.state import IllegalTransition, Role, Status
from deals.tests.conftest import FakePaymentBank, committed
from paylib.errors import ApplicationError
from paylib.outbox.models import Message
from payments.models import Payment
from users.models import User

pytestmark = pytest.mark.django_db


def hold_of(deal: Deal, bank: FakePaymentBank) -> Any:
    return bank.holds[Payment.objects.get(deal=deal, status="succeeded").hold_id]


def platform(settings: Any) -> str:
    return str(settings.PLATFORM_ACCOUNT)


def paid_calls(action: str) -> int:
    return BankCall.objects.filter(action=action, outcome="ok").count()


def test_paying_holds_the_money_and_starts_the_shipping_clock(
    held: Deal, buyer_account: Any, bank: FakePaymentBank, settings: Any
) -> None:
    assert bank.balances[buyer_account.number] == 10_000_00
    assert bank.available(buyer_account.number) == 10_000_00 - held.amount
    assert bank.balances.get(platform(settings), 0) == 0
    hold = hold_of(held, bank)
    assert (hold.status, hold.amount) == ("pending", held.amount)
    assert held.held_at is not None
    assert held.ship_by is not None
    assert held.ship_by - held.held_at == settings.DEAL_SHIPPING_WINDOW
    # The bank may hold it for the longest path a deal can take.
    payment = Payment.objects.get(deal=held)
    assert payment.hold_until is not None
    longest = (
        settings.DEAL_SHIPPING_WINDOW
        + settings.DEAL_CONFIRMATION_WINDOW
        + settings.DEAL_DISPUTE_LIMIT
    )
    assert payment.hold_until - held.held_at > longest
    assert bank.calls[[n for n, _ in bank.calls].index("hold_request")][1]["hold_until"] == (
        payment.hold_until
    )


def test_shipped_then_confirmed_pays_seller_and_platform_to_the_kopeck(
    held: Deal, buyer: User, buyer_account: Any, bank: FakePaymentBank, settings: Any
) -> None:
    seller_number = Payment.objects.get(deal=held).seller_number
    deal_ship(
        deal=held, seller=held.seller, method="delivery", carrier="CDEK", tracking_number="X1"
    )
    held.refresh_from_db()
    assert held.status == "shipped"
    assert (held.carrier, held.tracking_number) == ("CDEK", "X1")
    assert held.confirm_by == held.shipped_at + settings.DEAL_CONFIRMATION_WINDOW  # type: ignore[operator]
    assert bank.balances.get(seller_number, 0) == 0  # nothing paid on shipping
    committed(lambda: deal_confirm_receipt(deal=held, buyer=buyer))
    held.refresh_from_db()
    assert held.status == "completed"
    assert bank.balances[buyer_account.number] == 10_000_00 - held.amount
    assert bank.balances[seller_number] == held.seller_net
    assert bank.balances[platform(settings)] == held.commission_amount
    assert (held.released_amount, held.returned_amount) == (held.amount, 0)
    assert held.released_at is not None
    assert held.bank_problem == ""
    assert paid_calls("hold_capture") == 1
    # Delivered again (a worker that died after the bank's answer), settled again: no change.
    assert deal_money_settle(deal_id=held.pk) == "settled"
    assert bank.call_names().count("hold_capture") == 1


@pytest.mark.parametrize("who", ["buyer", "seller", "staff"])
def test_cancelling_before_shipping_gives_the_buyer_his_money_back(
    held: Deal, buyer_account: Any, bank: FakePaymentBank, staff_user: User, who: str
) -> None:
    actor = {"buyer": held.buyer, "seller": held.seller, "staff": staff_user}[who]
    quantity = held.offer.quantity_available
    committed(lambda: deal_cancel(deal=held, actor=actor, role=who))
    held.refresh_from_db()
    assert held.status == "cancelled"
    assert hold_of(held, bank).status == "voided"
    assert bank.available(buyer_account.number) == 10_000_00
    assert (held.returned_amount, held.released_amount) == (held.amount, 0)
    assert held.returned_at is not None
    held.offer.refresh_from_db()
    assert held.offer.quantity_available == quantity + held.quantity


def test_nobody_cancels_a_shipped_deal(held: Deal, staff_user: User) -> None:
    deal_ship(deal=held, seller=held.seller, method="in_person")
    for actor, role in (
        (held.buyer, Role.BUYER),
        (held.seller, Role.SELLER),
        (staff_user, "staff"),
    ):
        with pytest.raises(IllegalTransition):
            deal_cancel(deal=held, actor=actor, role=role)
    held.refresh_from_db()
    assert held.status == "shipped"
    assert not Message.objects.filter(kind="deals.money").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"method": "pigeon"}, "method"),
        ({"method": "delivery", "tracking_number": "X1"}, "carrier"),
        ({"method": "delivery", "carrier": "CDEK", "tracking_number": "  "}, "tracking_number"),
    ],
)
def test_shipping_without_its_details_names_the_field_and_writes_nothing(
    held: Deal, fields: dict[str, str], field: str
) -> None:
    before = db_snapshot()
    with pytest.raises(ApplicationError) as caught:
        deal_ship(deal=held, seller=held.seller, **fields)
    assert caught.value.field == field
    assert db_snapshot() == before


def test_only_the_seller_ships_and_only_within_the_window(held: Deal, buyer: User) -> None:
    with pytest.raises(IllegalTransition):
        deal_ship(deal=held, seller=buyer, method="in_person")
    assert held.ship_by is not None
    with time_machine.travel(held.ship_by + timedelta(seconds=1)), pytest.raises(DeadlinePassed):
        deal_ship(deal=held, seller=held.seller, method="in_person")
    held.refresh_from_db()
    assert held.status == "held"
    assert held.shipped_at is None


def shipped(deal: Deal) -> Deal:
    deal_ship(deal=deal, seller=deal.seller, method="in_person")
    deal.refresh_from_db()
    return deal


def test_a_dispute_is_opened_within_the_confirmation_window_and_answered_within_its_own(
    held: Deal, buyer: User, settings: Any
) -> None:
    deal = shipped(held)
    dispute = dispute_open(deal=deal, buyer=buyer, reason="damaged", message="Broken glass.")
    deal.refresh_from_db()
    assert deal.status == "disputed"
    assert dispute.answer_by - dispute.opened_at == settings.DEAL_DISPUTE_ANSWER_WINDOW
    assert dispute.resolve_by - dispute.opened_at == settings.DEAL_DISPUTE_LIMIT
    with pytest.raises(ApplicationError):
        dispute_answer(dispute=dispute, seller=buyer, answer="Not mine to answer.")
    with (
        time_machine.travel(dispute.answer_by + timedelta(seconds=1)),
        pytest.raises(DeadlinePassed),
    ):
        dispute_answer(dispute=dispute, seller=deal.seller, answer="Too late.")
    dispute_answer(dispute=dispute, seller=deal.seller, answer="It was packed well.")
    dispute.refresh_from_db()
    assert dispute.answer == "It was packed well."
    assert dispute.answered_at is not None
    with pytest.raises(ApplicationError):  # once
        dispute_answer(dispute=dispute, seller=deal.seller, answer="Again.")


def test_no_dispute_after_the_confirmation_window_nor_without_a_reason(
    held: Deal, buyer: User
) -> None:
    deal = shipped(held)
    with pytest.raises(ApplicationError) as caught:
        dispute_open(deal=deal, buyer=buyer, reason="bored", message="x")
    assert caught.value.field == "reason"
    with pytest.raises(ApplicationError) as caught:
        dispute_open(deal=deal, buyer=buyer, reason="other", message="  ")
    assert caught.value.field == "message"
    assert deal.confirm_by is not None
    with time_machine.travel(deal.confirm_by + timedelta(seconds=1)), pytest.raises(DeadlinePassed):
        dispute_open(deal=deal, buyer=buyer, reason="other", message="Late.")
    deal.refresh_from_db()
    assert deal.status == "shipped"
    assert not Dispute.objects.exists()


def disputed(deal: Deal) -> Dispute:
    return dispute_open(
        deal=shipped(deal), buyer=deal.buyer, reason="not_as_described", message="Blue, not red."
    )


def test_staff_release_a_dispute_to_the_seller(
    held: Deal, staff_user: User, bank: FakePaymentBank, settings: Any
) -> None:
    dispute = disputed(held)
    committed(
        lambda: dispute_resolve(
            dispute=dispute, staff=staff_user, outcome="release", reason="Photos match."
        )
    )
    held.refresh_from_db()
    dispute.refresh_from_db()
    assert held.status == "completed"
    assert (dispute.outcome, dispute.resolution, dispute.resolved_by) == (
        "release",
        "Photos match.",
        staff_user,
    )
    assert hold_of(held, bank).captured == held.amount
    assert bank.balances[platform(settings)] == held.commission_amount


def test_staff_refund_a_dispute_in_full(
    held: Deal, staff_user: User, buyer_account: Any, bank: FakePaymentBank
) -> None:
    dispute = disputed(held)
    committed(
        lambda: dispute_resolve(dispute=dispute, staff=staff_user, outcome="refund", reason="Lost.")
    )
    held.refresh_from_db()
    assert held.status == "refunded"
    assert hold_of(held, bank).status == "voided"
    assert bank.available(buyer_account.number) == 10_000_00
    assert held.returned_amount == held.amount


@pytest.mark.parametrize("refund", [1, 100_00, 1_234_57, 2_999_99])
def test_a_partial_refund_captures_the_rest_shared_in_the_confirmed_proportion(
    held: Deal,
    staff_user: User,
    buyer_account: Any,
    bank: FakePaymentBank,
    settings: Any,
    refund: int,
) -> None:
    seller_number = Payment.objects.get(deal=held).seller_number
    dispute = disputed(held)
    committed(
        lambda: dispute_resolve(
            dispute=dispute,
            staff=staff_user,
            outcome="partial",
            reason="A scratch.",
            refund_amount=refund,
        )
    )
    held.refresh_from_db()
    captured = held.amount - refund
    seller, commission = bank.balances[seller_number], bank.balances.get(platform(settings), 0)
    assert held.status == "completed"
    assert seller + commission == captured
    # The commission follows the captured part (the bank's largest-remainder rounding).
    exact = captured * held.commission_amount / held.amount
    assert abs(commission - exact) < 1
    assert bank.balances[buyer_account.number] == 10_000_00 - captured
    assert bank.available(buyer_account.number) == 10_000_00 - captured
    assert (held.released_amount, held.returned_amount) == (captured, refund)


@pytest.mark.parametrize("amount", [0, -1, 3_000_00, 3_000_01])
def test_a_partial_refund_outside_the_amount_names_the_field_and_moves_nothing(
    held: Deal, staff_user: User, amount: int
) -> None:
    dispute = disputed(held)
    before = db_snapshot()
    with pytest.raises(ApplicationError) as caught:
        dispute_resolve(
            dispute=dispute, staff=staff_user, outcome="partial", reason="x", refund_amount=amount
        )
    assert caught.value.field == "refund_amount"
    assert db_snapshot() == before


def test_a_resolution_needs_a_reason_and_staff(held: Deal, staff_user: User) -> None:
    dispute = disputed(held)
    with pytest.raises(ApplicationError) as caught:
        dispute_resolve(dispute=dispute, staff=staff_user, outcome="release", reason=" ")
    assert caught.value.field == "reason"
    with pytest.raises(IllegalTransition):
        dispute_resolve(dispute=dispute, staff=held.seller, outcome="release", reason="Mine.")
    held.refresh_from_db()
    assert held.status == "disputed"


def test_the_buyer_confirming_during_a_dispute_settles_it_for_the_seller(
    held: Deal, bank: FakePaymentBank
) -> None:
    dispute = disputed(held)
    committed(lambda: deal_confirm_receipt(deal=held, buyer=held.buyer))
    dispute.refresh_from_db()
    assert dispute.outcome == "release"
    assert hold_of(held, bank).status == "captured"


def completed(deal: Deal) -> Deal:
    shipped(deal)
    committed(lambda: deal_confirm_receipt(deal=deal, buyer=deal.buyer))
    deal.refresh_from_db()
    return deal


def test_staff_refund_a_completed_deal_in_part_then_the_rest(
    held: Deal, staff_user: User, buyer_account: Any, bank: FakePaymentBank, settings: Any
) -> None:
    deal = completed(held)
    seller_number = Payment.objects.get(deal=deal).seller_number
    committed(lambda: deal_refund(deal=deal, staff=staff_user, amount=1_000_00, reason="Late."))
    deal.refresh_from_db()
    assert deal.status == "completed"
    assert deal.returned_amount == 1_000_00
    assert bank.balances[buyer_account.number] == 10_000_00 - deal.amount + 1_000_00
    with pytest.raises(ApplicationError) as caught:
        deal_refund(deal=deal, staff=staff_user, amount=2_000_01, reason="Too much.")
    assert caught.value.field == "amount"
    committed(lambda: deal_refund(deal=deal, staff=staff_user, amount=2_000_00, reason="All."))
    deal.refresh_from_db()
    assert deal.status == "refunded"
    assert bank.balances[buyer_account.number] == 10_000_00
    assert bank.balances[seller_number] == 0
    assert bank.balances[platform(settings)] == 0
    assert [r.status for r in Refund.objects.order_by("pk")] == ["done", "done"]


def test_a_refund_the_seller_cannot_cover_is_refused_whole_and_said_so(
    held: Deal, staff_user: User, buyer_account: Any, bank: FakePaymentBank
) -> None:
    deal = completed(held)
    seller_number = Payment.objects.get(deal=deal).seller_number
    bank.balances[seller_number] = 10_00  # spent
    committed(lambda: deal_refund(deal=deal, staff=staff_user, amount=deal.amount, reason="Bad."))
    deal.refresh_from_db()
    refund = Refund.objects.get()
    assert (refund.status, refund.failure_code) == ("failed", "insufficient_funds")
    assert (deal.status, deal.returned_amount) == ("completed", 0)
    assert bank.balances[buyer_account.number] == 10_000_00 - deal.amount
    assert bank.balances[seller_number] == 10_00
    assert Message.objects.get(kind="deals.refund").done_at is not None  # not retried forever


def test_only_staff_refund_and_only_a_paid_out_deal(held: Deal, staff_user: User) -> None:
    with pytest.raises(ApplicationError):
        deal_refund(deal=held, staff=staff_user, amount=1, reason="Held still.")
    deal = completed(held)
    with pytest.raises(ApplicationError):
        deal_refund(deal=deal, staff=deal.buyer, amount=1, reason="Mine.")
    assert not Refund.objects.exists()


def test_the_bank_down_during_a_capture_is_retried_until_done_once(
    held: Deal, bank: FakePaymentBank, settings: Any
) -> None:
    from bank_client import BankUnavailable
    from paylib.outbox.services import deliver

    shipped(held)
    bank.fail_on["hold_capture"] = BankUnavailable("Timed out.")
    committed(lambda: deal_confirm_receipt(deal=held, buyer=held.buyer))
    held.refresh_from_db()
    assert held.status == "completed"
    assert held.released_at is None
    message = Message.objects.get(kind="deals.money")
    assert message.done_at is None
    assert message.attempts == 1
    Message.objects.filter(pk=message.pk).update(due_at=timezone.now())
    assert deliver(message.pk) == "done"
    held.refresh_from_db()
    assert held.released_at is not None
    assert bank.balances[platform(settings)] == held.commission_amount
    assert BankCall.objects.filter(action="hold_capture").count() == 2  # one down, one done
    assert paid_calls("hold_capture") == 1


def test_an_expired_hold_is_recorded_for_staff_not_retried(
    held: Deal, bank: FakePaymentBank
) -> None:
    shipped(held)
    bank.expire(Payment.objects.get(deal=held).hold_id)
    committed(lambda: deal_confirm_receipt(deal=held, buyer=held.buyer))
    held.refresh_from_db()
    assert held.bank_problem == "hold_expired"
    assert held.released_at is None
    assert Message.objects.get(kind="deals.money").done_at is not None


def test_reconciliation_settles_a_finished_deal_whose_hold_is_pending(
    held: Deal, bank: FakePaymentBank, settings: Any
) -> None:
    shipped(held)
    deal_confirm_receipt(deal=held, buyer=held.buyer)  # committed never: the effect not run
    assert hold_of(held, bank).status == "pending"
    report = deals_reconcile()
    held.refresh_from_db()
    assert report.settled == [held.pk]
    assert hold_of(held, bank).status == "captured"
    assert held.released_amount == held.amount
    assert deals_reconcile().settled == []  # nothing left to settle


def test_reconciliation_flags_a_held_deal_whose_hold_has_ended(
    held: Deal, bank: FakePaymentBank
) -> None:
    bank.expire(Payment.objects.get(deal=held).hold_id)
    report = deals_reconcile()
    held.refresh_from_db()
    assert report.flagged == [held.pk]
    assert held.bank_problem == "hold_expired"
    assert held.status == "held"  # staff decide


def test_the_windows_fit_in_the_banks_longest_hold(settings: Any) -> None:
    from deals.checks import hold_fits_the_bank

    assert hold_fits_the_bank() == []
    settings.DEAL_DISPUTE_LIMIT = timedelta(days=45)
    assert [e.id for e in hold_fits_the_bank()] == ["deals.E001"]


def test_the_default_windows_are_the_issues() -> None:
    assert timedelta(days=5) == django_settings.DEAL_SHIPPING_WINDOW
    assert timedelta(days=14) == django_settings.DEAL_CONFIRMATION_WINDOW
    assert timedelta(days=3) == django_settings.DEAL_DISPUTE_ANSWER_WINDOW
    assert timedelta(days=30) == django_settings.DEAL_DISPUTE_LIMIT
    assert Status.HELD.label == "Paid, money held"
