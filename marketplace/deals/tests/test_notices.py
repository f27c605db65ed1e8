"""Every event of a safe deal is told to the party it concerns, once, in the event's
transaction (notifications.Notification rows; their emails go through the outbox)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from deals.actions import deal_cancel, deal_confirm_receipt, deal_refund, deal_ship
from deals.disputes import dispute_answer, dispute_open, dispute_resolve
from deals.models import Deal
from deals.tests.conftest import committed
from deals.timers import deals_cancel_unshipped, deals_release_unconfirmed, deals_remind_to_ship
from notifications.models import Notification
from users.models import User

pytestmark = pytest.mark.django_db


def told(deal: Deal) -> list[tuple[str, str]]:
    """(kind, the person's email) for the deal, in order."""
    rows = Notification.objects.filter(deal=deal).order_by("pk").select_related("user")
    return [(n.kind, n.user.email) for n in rows]


def test_opening_tells_the_seller_and_paying_tells_both(held: Deal) -> None:
    buyer, seller = held.buyer.email, held.seller.email
    assert told(held) == [
        ("deal_opened", seller),
        ("paid_held", buyer),
        ("paid_held", seller),
    ]
    paid = Notification.objects.get(deal=held, kind="paid_held", user=held.buyer)
    assert paid.params["amount"] == held.amount
    assert "deadline" in paid.params


def test_shipping_tells_the_buyer_and_receipt_tells_both(held: Deal) -> None:
    deal_ship(deal=held, seller=held.seller, method="delivery", carrier="CDEK", tracking_number="7")
    shipped = Notification.objects.get(deal=held, kind="shipped")
    assert shipped.user == held.buyer
    assert (shipped.params["method"], shipped.params["tracking"]) == ("CDEK", "7")
    committed(lambda: deal_confirm_receipt(deal=held, buyer=held.buyer))
    assert sorted(e for k, e in told(held) if k == "completed") == sorted(
        [held.buyer.email, held.seller.email]
    )


def test_a_cancel_tells_the_other_party(held: Deal) -> None:
    committed(lambda: deal_cancel(deal=held, actor=held.buyer, role="buyer"))
    assert [e for k, e in told(held) if k == "cancelled"] == [held.seller.email]


def test_the_timers_tell_what_they_did(held: Deal) -> None:
    assert held.ship_by is not None
    with time_machine.travel(held.ship_by - timedelta(hours=1)):
        deals_remind_to_ship()
        deals_remind_to_ship()
    with time_machine.travel(held.ship_by + timedelta(seconds=1)):
        committed(deals_cancel_unshipped)
    kinds = [k for k, _ in told(held)]
    assert kinds.count("ship_reminder") == 1
    assert kinds.count("ship_missed") == 2


def test_an_automatic_release_is_told_as_such(held: Deal) -> None:
    deal_ship(deal=held, seller=held.seller, method="in_person")
    held.refresh_from_db()
    assert held.confirm_by is not None
    with time_machine.travel(held.confirm_by + timedelta(seconds=1)):
        committed(deals_release_unconfirmed)
    assert [k for k, _ in told(held)].count("auto_completed") == 2


def test_a_dispute_is_told_opened_answered_and_resolved_with_its_reason(
    held: Deal, staff_user: User
) -> None:
    deal_ship(deal=held, seller=held.seller, method="in_person")
    dispute = dispute_open(deal=held, buyer=held.buyer, reason="damaged", message="Cracked.")
    dispute_answer(dispute=dispute, seller=held.seller, answer="Not by me.")
    committed(
        lambda: dispute_resolve(
            dispute=dispute, staff=staff_user, outcome="partial", reason="Both.", refund_amount=1_00
        )
    )
    kinds = [k for k, _ in told(held)]
    assert kinds.count("dispute_opened") == 2
    assert [e for k, e in told(held) if k == "dispute_answered"] == [held.buyer.email]
    resolved = Notification.objects.filter(deal=held, kind="dispute_resolved")
    assert resolved.count() == 2
    assert {n.params["reason"] for n in resolved} == {"Both."}
    assert {n.params["outcome"] for n in resolved} == {"partial_refund"}
    assert "completed" not in kinds  # the ruling is the news


def test_refunds_are_told_done_or_refused(held: Deal, staff_user: User, bank: Any) -> None:
    from payments.models import Payment

    deal_ship(deal=held, seller=held.seller, method="in_person")
    committed(lambda: deal_confirm_receipt(deal=held, buyer=held.buyer))
    committed(lambda: deal_refund(deal=held, staff=staff_user, amount=1_00, reason="Late."))
    assert [k for k, _ in told(held)].count("refunded") == 2
    bank.balances[Payment.objects.get(deal=held).seller_number] = 0
    committed(lambda: deal_refund(deal=held, staff=staff_user, amount=1_00, reason="Again."))
    assert [e for k, e in told(held) if k == "refund_failed"] == [held.buyer.email]
