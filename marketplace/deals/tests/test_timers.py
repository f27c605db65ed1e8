"""The safe deal's clocks on a controlled clock: each timer moves only deals whose deadline
has passed, through the table, once; reminders go once, a day or two before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from deals import notices
from deals.actions import deal_ship
from deals.disputes import dispute_answer, dispute_open
from deals.models import Deal, Dispute
from deals.services import DeadlinePassed
from deals.tests.conftest import FakePaymentBank, committed
from deals.timers import (
    deals_cancel_unshipped,
    deals_release_unconfirmed,
    deals_remind_to_confirm,
    deals_remind_to_ship,
    disputes_flag_unanswered,
    disputes_refund_overdue,
    disputes_remind_to_answer,
)
from notifications.models import Notification
from payments.models import Payment

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """The reminders and notices the timers give, as (deal, kind)."""
    seen: list[tuple[int, str]] = []
    monkeypatch.setattr(
        notices, "deal_event", lambda *, deal, kind, **params: seen.append((deal.pk, kind))
    )
    return seen


def hold_status(deal: Deal, bank: FakePaymentBank) -> str:
    return str(bank.holds[Payment.objects.get(deal=deal, status="succeeded").hold_id].status)


def test_a_deal_not_shipped_in_time_is_cancelled_and_its_hold_released(
    held: Deal, bank: FakePaymentBank, buyer_account: Any
) -> None:
    assert held.ship_by is not None
    with time_machine.travel(held.ship_by - SECOND):
        assert committed(deals_cancel_unshipped) == 0
    held.refresh_from_db()
    assert held.status == "held"
    with time_machine.travel(held.ship_by + SECOND):
        assert committed(deals_cancel_unshipped) == 1
        assert committed(deals_cancel_unshipped) == 0
    held.refresh_from_db()
    assert held.status == "cancelled"
    step = held.transitions.order_by("-id").first()
    assert step is not None
    assert (step.role, step.reason) == ("system", "not shipped in time")
    assert hold_status(held, bank) == "voided"
    assert bank.available(buyer_account.number) == 10_000_00
    assert bank.call_names().count("hold_void") == 1


def test_the_seller_is_reminded_once_a_day_before_the_shipping_deadline(
    held: Deal, told: list[tuple[int, str]], settings: Any
) -> None:
    assert held.ship_by is not None
    remind_at = held.ship_by - settings.DEAL_SHIP_REMINDER_BEFORE
    with time_machine.travel(remind_at - SECOND):
        assert deals_remind_to_ship() == 0
    with time_machine.travel(remind_at + SECOND):
        assert deals_remind_to_ship() == 1
        assert deals_remind_to_ship() == 0
    assert told == [(held.pk, "ship_reminder")]
    with time_machine.travel(held.ship_by + SECOND):  # past the deadline: no reminder
        Deal.objects.filter(pk=held.pk).update(ship_reminded_at=None)
        assert deals_remind_to_ship() == 0


def shipped(deal: Deal) -> Deal:
    deal_ship(deal=deal, seller=deal.seller, method="in_person")
    deal.refresh_from_db()
    assert deal.confirm_by is not None
    return deal


def test_a_shipped_deal_nobody_confirms_pays_the_seller_when_the_window_ends(
    held: Deal, bank: FakePaymentBank, settings: Any
) -> None:
    deal = shipped(held)
    assert deal.confirm_by is not None
    with time_machine.travel(deal.confirm_by - SECOND):
        assert committed(deals_release_unconfirmed) == 0
    with time_machine.travel(deal.confirm_by + SECOND):
        assert committed(deals_release_unconfirmed) == 1
    deal.refresh_from_db()
    assert deal.status == "completed"
    assert hold_status(deal, bank) == "captured"
    assert bank.balances[settings.PLATFORM_ACCOUNT] == deal.commission_amount
    assert deal.transitions.order_by("-id")[0].role == "system"


def test_the_buyer_is_reminded_once_two_days_before_the_automatic_release(
    held: Deal, told: list[tuple[int, str]], settings: Any
) -> None:
    deal = shipped(held)
    assert deal.confirm_by is not None
    remind_at = deal.confirm_by - settings.DEAL_CONFIRM_REMINDER_BEFORE
    with time_machine.travel(remind_at - SECOND):
        assert deals_remind_to_confirm() == 0
    with time_machine.travel(remind_at + SECOND):
        assert deals_remind_to_confirm() == 1
        assert deals_remind_to_confirm() == 0
    assert told == [(deal.pk, "confirm_reminder")]


def test_a_disputed_deal_is_not_released_by_the_confirmation_timer(held: Deal) -> None:
    deal = shipped(held)
    dispute_open(deal=deal, buyer=deal.buyer, reason="not_received", message="Nothing came.")
    assert deal.confirm_by is not None
    with time_machine.travel(deal.confirm_by + SECOND):
        assert deals_release_unconfirmed() == 0
    deal.refresh_from_db()
    assert deal.status == "disputed"


def test_a_dispute_unresolved_for_the_limit_is_refunded(
    held: Deal, bank: FakePaymentBank, buyer_account: Any
) -> None:
    deal = shipped(held)
    dispute = dispute_open(deal=deal, buyer=deal.buyer, reason="damaged", message="Cracked.")
    with time_machine.travel(dispute.resolve_by - SECOND):
        assert committed(disputes_refund_overdue) == 0
    with time_machine.travel(dispute.resolve_by + SECOND):
        assert committed(disputes_refund_overdue) == 1
        assert committed(disputes_refund_overdue) == 0
    deal.refresh_from_db()
    dispute.refresh_from_db()
    assert deal.status == "refunded"
    assert (dispute.outcome, dispute.refund_amount) == ("timed_out", deal.amount)
    assert hold_status(deal, bank) == "voided"
    assert bank.available(buyer_account.number) == 10_000_00
    assert Dispute.objects.get().resolved_at is not None


def told_of(dispute: Dispute, kind: str) -> list[str]:
    rows = Notification.objects.filter(deal_id=dispute.deal_id, kind=kind)
    return sorted(rows.values_list("user__email", flat=True))


def test_the_seller_is_reminded_once_a_day_before_his_answer_is_due(
    held: Deal, settings: Any
) -> None:
    deal = shipped(held)
    dispute = dispute_open(deal=deal, buyer=deal.buyer, reason="damaged", message="Cracked.")
    assert dispute.answer_by - dispute.opened_at == settings.DEAL_DISPUTE_ANSWER_WINDOW
    remind_at = dispute.answer_by - settings.DEAL_ANSWER_REMINDER_BEFORE
    with time_machine.travel(remind_at - SECOND):
        assert disputes_remind_to_answer() == 0
    with time_machine.travel(remind_at + SECOND):
        assert disputes_remind_to_answer() == 1
        assert disputes_remind_to_answer() == 0
    assert told_of(dispute, "answer_reminder") == [deal.seller.email]
    dispute.refresh_from_db()
    assert dispute.answer_reminded_at is not None
    with time_machine.travel(dispute.answer_by + SECOND):  # past the deadline: no reminder
        Dispute.objects.filter(pk=dispute.pk).update(answer_reminded_at=None)
        assert disputes_remind_to_answer() == 0


def test_an_answered_dispute_is_neither_reminded_nor_flagged(held: Deal) -> None:
    deal = shipped(held)
    dispute = dispute_open(deal=deal, buyer=deal.buyer, reason="damaged", message="Cracked.")
    dispute_answer(dispute=dispute, seller=deal.seller, answer="It left intact.")
    with time_machine.travel(dispute.answer_by - SECOND):
        assert disputes_remind_to_answer() == 0
    with time_machine.travel(dispute.answer_by + SECOND):
        assert disputes_flag_unanswered() == 0
    assert told_of(dispute, "answer_reminder") == told_of(dispute, "answer_missed") == []


def test_an_answer_window_passed_flags_the_dispute_and_tells_the_buyer_but_resolves_nothing(
    held: Deal, bank: FakePaymentBank
) -> None:
    deal = shipped(held)
    dispute = dispute_open(deal=deal, buyer=deal.buyer, reason="not_received", message="None.")
    with time_machine.travel(dispute.answer_by - SECOND):
        assert disputes_flag_unanswered() == 0
    with time_machine.travel(dispute.answer_by + SECOND):
        assert committed(disputes_flag_unanswered) == 1
        assert committed(disputes_flag_unanswered) == 0
        assert committed(disputes_refund_overdue) == 0
    dispute.refresh_from_db()
    deal.refresh_from_db()
    assert dispute.answer_missed_at is not None
    assert (deal.status, dispute.outcome) == ("disputed", "")
    assert told_of(dispute, "answer_missed") == [deal.buyer.email]
    assert "hold_capture" not in bank.call_names()
    assert "hold_void" not in bank.call_names()
    with time_machine.travel(dispute.answer_by + SECOND), pytest.raises(DeadlinePassed):
        dispute_answer(dispute=dispute, seller=deal.seller, answer="Late.")
    # Only the dispute limit refunds it by itself.
    with time_machine.travel(dispute.resolve_by + SECOND):
        assert committed(disputes_refund_overdue) == 1
    deal.refresh_from_db()
    assert deal.status == "refunded"


def test_every_timer_is_on_beats_schedule(settings: Any) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "deals.tasks.cancel_unshipped_deals",
        "deals.tasks.remind_to_ship",
        "deals.tasks.release_unconfirmed_deals",
        "deals.tasks.remind_to_confirm",
        "deals.tasks.refund_overdue_disputes",
        "deals.tasks.remind_to_answer",
        "deals.tasks.flag_unanswered_disputes",
        "deals.tasks.reconcile_deal_holds",
    } <= tasks
    from config.celery_app import app

    app.loader.import_default_modules()
    assert tasks <= set(app.tasks)
