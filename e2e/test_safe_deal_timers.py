"""The safe deal's clocks on real servers: a deal not shipped in time is cancelled and its
hold released, a deal not confirmed in time is paid out, and a capture that finds the bank
down is carried out once the bank is back, exactly once.

The windows are the real settings, a few seconds long: the marketplace's web server (which
starts the confirmation window on shipping), its worker (which starts the shipping window
when the payment succeeds, and runs the timers) and its beat (which calls the timers every
``DEAL_TIMER_INTERVAL``) are restarted with them for the tests that need them, and with the
session's environment again afterwards. No deadline is written by hand.

Each ``manage.py shell`` boots Django (seconds on a busy machine): the tests wait on pages
and mail, and read the databases once a test where they can.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bank_client import BankClient
from client import Visitor, balances
from conftest import PASSWORD, Buyer, make_buyers, make_offer
from stack import Stack
from test_payments import parties, request_code, signed_in

SHIPPING_WINDOW = 6
CONFIRMATION_WINDOW = 6
#: The timers run every second; each reminder is due this long before its deadline.
REMINDER_BEFORE = 3
SHORT_WINDOWS = {
    "DEAL_SHIPPING_WINDOW": str(SHIPPING_WINDOW),
    "DEAL_CONFIRMATION_WINDOW": str(CONFIRMATION_WINDOW),
    "DEAL_SHIP_REMINDER_BEFORE": str(REMINDER_BEFORE),
    "DEAL_CONFIRM_REMINDER_BEFORE": str(REMINDER_BEFORE),
    "DEAL_TIMER_INTERVAL": "1",
}
PRICE = 1_234_57


@pytest.fixture(scope="module")
def buyers(stack: Stack) -> list[Buyer]:
    """One buyer for each test of the module, with 10,000 ₽ each."""
    return make_buyers(stack, 3, deposit=10_000_00, tag="timers")


@pytest.fixture(scope="module")
def offer(stack: Stack) -> int:
    return make_offer(stack, price=PRICE)


def deal_state(stack: Stack, deal_id: int) -> dict[str, Any]:
    """The deal as the marketplace recorded it: its money, clocks and moves, what the bank
    did (``is_settled``), and its capture calls by outcome."""
    out = stack.market.shell(f"""
import json
from django.db.models import Count
from banking.models import BankCall
from deals.models import Deal
from deals.money import is_settled, payment_of
d = Deal.objects.get(pk={deal_id})
iso = lambda t: t.isoformat() if t else None
calls = BankCall.objects.filter(payment__deal_id=d.pk, action="hold_capture")
print(json.dumps({{
    "status": d.status, "amount": d.amount, "net": d.seller_net,
    "commission": d.commission_amount, "settled": is_settled(d),
    "released": d.released_amount, "returned": d.returned_amount, "problem": d.bank_problem,
    "held_at": iso(d.held_at), "ship_by": iso(d.ship_by),
    "shipped_at": iso(d.shipped_at), "confirm_by": iso(d.confirm_by),
    "moves": [[t.from_status, t.to_status, t.role, t.reason, iso(t.at)]
              for t in d.transitions.order_by("pk")],
    "hold": payment_of(d).hold_id if payment_of(d) else None,
    "captures": dict(calls.values_list("outcome").annotate(n=Count("pk"))),
}}))
""")
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def seconds(later: str, earlier: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def wait_page(visitor: Visitor, path: str, *texts: str, timeout: float = 40) -> str:
    """The page at ``path`` (unescaped) once it shows every one of ``texts``."""
    deadline = time.monotonic() + timeout
    while True:
        page = visitor.get(path)
        assert page.status_code == 200, page.text[:2000]
        text = html.unescape(page.text)
        if all(t in text for t in texts):
            return text
        assert time.monotonic() < deadline, f"{path} never showed {texts}"
        time.sleep(0.3)


def mails(stack: Stack, email: str, subject: str) -> list[str]:
    return [str(m["Subject"]) for m in stack.smtp.to(email) if subject in str(m["Subject"])]


def wait_mail(stack: Stack, email: str, subject: str, *, timeout: float = 30) -> None:
    """Until a message to ``email`` whose subject holds ``subject`` has arrived."""
    deadline = time.monotonic() + timeout
    while not mails(stack, email, subject):
        assert time.monotonic() < deadline, f"no “{subject}” to {email} in {timeout}s"
        time.sleep(0.2)


def pay(stack: Stack, visitor: Visitor, buyer: Buyer, deal: int) -> None:
    payment, code = request_code(stack, visitor, buyer, deal)
    assert visitor.confirm(payment, code).status_code == 302
    assert visitor.wait_final(payment)["status"] == "succeeded"


def ship(seller: Visitor, deal: int, tracking: str) -> None:
    """The seller's ship form on the deal's page, sent by delivery."""
    shipped = seller.post(
        f"/deals/{deal}/ship/",
        {"method": "delivery", "carrier": "CDEK", "tracking_number": tracking},
    )
    assert shipped.status_code == 302, shipped.text[:3000]


def as_seller(stack: Stack) -> Visitor:
    seller = Visitor(stack.market.url)
    seller.sign_in("seller@demo.test", PASSWORD)
    return seller


def captures_at_bank(stack: Stack, hold_id: str) -> dict[str, Any]:
    """The hold at the bank: its status, what it captured, and every capture posting on the
    payer's account for it, each as its entries (account number, kopecks)."""
    out = stack.bank.shell(f"""
import json
from holds.models import Hold
from ledger.models import Posting
h = Hold.objects.get(public_id="{hold_id}")
postings = Posting.objects.filter(
    kind="capture", entries__account_id=h.account_id, description=h.description
).distinct()
print(json.dumps({{"status": h.status, "captured": h.captured, "postings": [
    sorted([e.account.number, e.amount] for e in p.entries.select_related("account"))
    for p in postings]}}))
""")
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def capture_tried(stack: Stack, deal: int) -> int:
    """How many capture calls for the deal found the bank unreachable."""
    out = stack.market.shell(
        f"from banking.models import BankCall; print(BankCall.objects.filter("
        f"payment__deal_id={deal}, action='hold_capture', outcome='unavailable').count())"
    )
    return int(out.strip().splitlines()[-1])


def process_env(stack: Stack, role: str) -> dict[str, str]:
    """The environment the marketplace's ``role`` process runs with, as Linux has it."""
    raw = Path(f"/proc/{stack.market.processes[role].pid}/environ").read_bytes()
    pairs = (item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)
    return dict(pairs)


def last_move(state: dict[str, Any]) -> tuple[str, str, str, str, str]:
    source, target, role, reason, at = state["moves"][-1]
    return source, target, role, reason, at


def test_the_bank_down_during_a_capture_is_retried_and_captures_once(
    stack: Stack, bank_api: BankClient, buyers: list[Buyer], offer: int
) -> None:
    buyer = buyers[0]
    visitor = signed_in(stack, buyer)
    seller = as_seller(stack)
    deal = visitor.open_deal(offer, quantity=2)
    accounts = parties(stack, buyer)
    buyer_no, seller_no, platform_no = accounts
    before = balances(bank_api, *accounts)
    pay(stack, visitor, buyer, deal)
    ship(seller, deal, "E2E-DOWN")
    stack.bank.stop("web")
    try:
        confirmed = visitor.post(f"/deals/{deal}/complete/")
        assert confirmed.status_code == 302, confirmed.text[:3000]
        page = visitor.get(confirmed.headers["location"])
        assert page.status_code == 200
        text = html.unescape(page.text)
        assert "Thank you! The deal is completed: the seller is being paid." in text
        assert "2,469.14\u00a0₽ is being paid to the seller." in text
        # The capture was tried while the bank was down, and the page still says so.
        deadline = time.monotonic() + 30
        while not capture_tried(stack, deal):
            assert time.monotonic() < deadline, "the capture was never tried"
            time.sleep(0.3)
        assert "is being paid to the seller" in html.unescape(visitor.get(f"/deals/{deal}/").text)
    finally:
        stack.bank.start_web()
    wait_page(visitor, f"/deals/{deal}/", "Paid to the seller on")
    state = deal_state(stack, deal)
    assert (state["status"], state["settled"], state["problem"]) == ("completed", True, "")
    assert (state["released"], state["returned"]) == (2_469_14, 0)
    # Tried while the bank was down, then answered (a repeat of the keyed call finds the
    # first capture, so more than one answer would still be one capture at the bank).
    assert state["captures"]["unavailable"] >= 1
    assert state["captures"].get("ok", 0) >= 1
    at_bank = captures_at_bank(stack, state["hold"])
    assert (at_bank["status"], at_bank["captured"]) == ("captured", 2_469_14)
    # Exactly one capture posting: the buyer's money to the seller and the platform.
    assert at_bank["postings"] == [
        sorted(
            [[buyer_no, -2_469_14], [seller_no, state["net"]], [platform_no, state["commission"]]]
        )
    ]
    after = balances(bank_api, *accounts)
    assert after[buyer_no] == before[buyer_no] - 2_469_14
    assert after[seller_no] == before[seller_no] + state["net"]
    assert after[platform_no] == before[platform_no] + state["commission"]
    for email in (buyer.email, "seller@demo.test"):
        wait_mail(stack, email, f"Deal #{deal} is completed")
    stack.bank.manage("reconcile")


@pytest.mark.restarts
class TestShortWindows:
    """The marketplace's processes with windows of seconds, for this class only: the other
    modules share the session's stack and must see the windows of days."""

    @pytest.fixture(scope="class", autouse=True)
    def short_windows(self, stack: Stack) -> Iterator[None]:
        roles = ["web", "worker", "beat"]
        before = {name: stack.market.env.get(name) for name in SHORT_WINDOWS}
        with stack.market.environment(roles, **SHORT_WINDOWS):
            assert all(process_env(stack, r).items() >= SHORT_WINDOWS.items() for r in roles)
            yield
        # The session's processes again, with the session's windows.
        for role in roles:
            env = process_env(stack, role)
            assert {name: env.get(name) for name in SHORT_WINDOWS} == before, role

    def test_a_deal_not_shipped_in_time_is_cancelled_and_the_money_released(
        self, stack: Stack, bank_api: BankClient, buyers: list[Buyer], offer: int
    ) -> None:
        buyer = buyers[1]
        visitor = signed_in(stack, buyer)
        deal = visitor.open_deal(offer, quantity=3)
        accounts = parties(stack, buyer)
        buyer_no = accounts[0]
        before = balances(bank_api, *accounts)
        pay(stack, visitor, buyer, deal)
        # Held: the buyer cannot spend it, the seller and the platform do not have it.
        assert balances(bank_api, *accounts) == {**before, buyer_no: before[buyer_no] - 3_703_71}

        page = wait_page(visitor, f"/deals/{deal}/", "Cancelled", "Refunded to the buyer")
        assert "Refunded to the buyer 3,703.71\u00a0₽" in page
        state = deal_state(stack, deal)
        assert (state["status"], state["settled"], state["problem"]) == ("cancelled", True, "")
        assert (state["released"], state["returned"]) == (0, 3_703_71)
        assert seconds(state["ship_by"], state["held_at"]) == SHIPPING_WINDOW
        *_, at = move = last_move(state)
        assert move[:4] == ("held", "cancelled", "system", "not shipped in time")
        assert seconds(at, state["ship_by"]) >= 0
        assert state["captures"] == {}
        assert balances(bank_api, *accounts) == before  # to the kopeck, all three
        for email in (buyer.email, "seller@demo.test"):
            wait_mail(stack, email, f"Deal #{deal} is cancelled: not shipped in time")
        # The seller was reminded once before the window closed; the buyer was not.
        assert len(mails(stack, "seller@demo.test", f"Deal #{deal}: ship by")) == 1
        assert mails(stack, buyer.email, f"Deal #{deal}: ship by") == []
        stack.bank.manage("reconcile")

    def test_a_shipped_deal_not_confirmed_in_time_pays_the_seller_and_the_platform(
        self, stack: Stack, bank_api: BankClient, buyers: list[Buyer], offer: int
    ) -> None:
        buyer = buyers[2]
        visitor = signed_in(stack, buyer)
        seller = as_seller(stack)
        deal = visitor.open_deal(offer, quantity=4)
        accounts = parties(stack, buyer)
        buyer_no, seller_no, platform_no = accounts
        before = balances(bank_api, *accounts)
        pay(stack, visitor, buyer, deal)
        ship(seller, deal, "E2E-LATE")
        assert balances(bank_api, *accounts) == {**before, buyer_no: before[buyer_no] - 4_938_28}

        wait_page(visitor, f"/deals/{deal}/", "Completed", "Paid to the seller on")
        state = deal_state(stack, deal)
        assert (state["status"], state["settled"], state["problem"]) == ("completed", True, "")
        assert (state["released"], state["returned"]) == (4_938_28, 0)
        assert state["net"] + state["commission"] == 4_938_28
        assert seconds(state["confirm_by"], state["shipped_at"]) == CONFIRMATION_WINDOW
        *_, at = move = last_move(state)
        assert move[:4] == ("shipped", "completed", "system", "confirmation window elapsed")
        assert seconds(at, state["confirm_by"]) >= 0
        assert state["captures"] == {"ok": 1}
        after = balances(bank_api, *accounts)
        assert after[buyer_no] == before[buyer_no] - 4_938_28
        assert after[seller_no] == before[seller_no] + state["net"]
        assert after[platform_no] == before[platform_no] + state["commission"]
        for email in (buyer.email, "seller@demo.test"):
            wait_mail(stack, email, f"Deal #{deal} is completed automatically")
        # The buyer was told of the shipment and reminded once to confirm.
        assert len(mails(stack, buyer.email, f"Deal #{deal} is shipped")) == 1
        assert len(mails(stack, buyer.email, f"Deal #{deal}: confirm receipt by")) == 1
        stack.bank.manage("reconcile")
