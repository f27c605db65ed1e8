"""A payment end to end: both services as real servers on PostgreSQL, Celery on Redis,
the bank's code emails over real SMTP, and the money checked at the bank to the kopeck."""

from __future__ import annotations

import json
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis

from bank_client import BankClient
from client import Visitor, balances, payment_id_from
from conftest import PASSWORD, Buyer, make_buyers, make_offer
from stack import MARKET_REDIS_DB, REDIS, Stack


def deal_money(stack: Stack, deal_id: int) -> dict[str, int]:
    out = stack.market.shell(f"""
import json
from deals.models import Deal
d = Deal.objects.get(pk={deal_id})
print(json.dumps({{"amount": d.amount, "net": d.seller_net, "commission": d.commission_amount,
                  "status": d.status}}))
""")
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def mails_to(stack: Stack, email: str) -> int:
    return len(stack.smtp.to(email))


def request_code(
    stack: Stack, visitor: Visitor, buyer: Buyer, deal: int, *, timeout: float = 20.0
) -> tuple[int, str]:
    """Press Pay with the buyer's account; return the payment id and the emailed code."""
    sent = mails_to(stack, buyer.email)
    response = visitor.start_payment(deal, buyer.account_id)
    assert response.status_code == 302, response.text[:3000]
    payment = payment_id_from(response)
    return payment, stack.smtp.last_code(buyer.email, count=sent + 1, timeout=timeout)


def parties(stack: Stack, buyer: Buyer) -> tuple[str, str, str]:
    demo = stack.bank_demo
    return (
        buyer.account_number,
        demo["accounts"]["seller@demo.test"],  # type: ignore[index]
        str(demo["PLATFORM_ACCOUNT"]),
    )


def signed_in(stack: Stack, buyer: Buyer) -> Visitor:
    visitor = Visitor(stack.market.url)
    visitor.sign_in(buyer.email, PASSWORD)
    return visitor


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def wait_money_settled(stack: Stack, deal_id: int, timeout: float = 60) -> dict[str, Any]:
    """The deal once the bank has done its capture or release (the outbox's worker)."""
    deadline = time.monotonic() + timeout
    while True:
        out = stack.market.shell(f"""
import json
from deals.models import Deal
from deals.money import is_settled
d = Deal.objects.get(pk={deal_id})
print(json.dumps({{"status": d.status, "settled": is_settled(d), "released": d.released_amount,
                  "returned": d.returned_amount, "problem": d.bank_problem}}))
""")
        state: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        if state["settled"] or state["problem"]:
            return state
        assert time.monotonic() < deadline, f"deal {deal_id} not settled at the bank: {state}"
        time.sleep(0.5)


def test_a_safe_deal_holds_the_money_then_pays_seller_and_platform_on_receipt(
    stack: Stack, bank_api: BankClient
) -> None:
    buyer = make_buyers(stack, 1, deposit=50_000_00, tag="happy")[0]
    visitor = signed_in(stack, buyer)
    deal = visitor.open_deal(make_offer(stack, price=1_234_57), quantity=3)
    money = deal_money(stack, deal)
    assert money["amount"] == 3_703_71
    assert money["net"] + money["commission"] == money["amount"]
    accounts = parties(stack, buyer)
    before = balances(bank_api, *accounts)
    payment, code = request_code(stack, visitor, buyer, deal)
    email = stack.smtp.wait_for(buyer.email)[-1]
    assert "3,703.71" in str(email["Subject"])
    confirmed = visitor.confirm(payment, code)
    assert confirmed.headers["location"].endswith(f"/payments/{payment}/")
    assert "being processed" in visitor.get(f"/payments/{payment}/").text
    assert visitor.wait_final(payment)["status"] == "succeeded"
    # Paid, the money held: the buyer cannot spend it, the seller does not have it yet.
    held = balances(bank_api, *accounts)
    buyer_no, seller_no, platform_no = accounts
    assert held[buyer_no] == before[buyer_no] - 3_703_71
    assert held[seller_no] == before[seller_no]
    assert held[platform_no] == before[platform_no]
    assert deal_money(stack, deal)["status"] == "held"
    assert "held at the bank until you confirm receipt" in visitor.get(f"/deals/{deal}/").text
    stack.smtp.wait_for("seller@demo.test")
    stack.bank.manage("reconcile")

    seller = Visitor(stack.market.url)
    seller.sign_in("seller@demo.test", PASSWORD)
    shipped = seller.post(
        f"/deals/{deal}/ship/", {"method": "delivery", "carrier": "CDEK", "tracking_number": "E2E1"}
    )
    assert shipped.status_code == 302, shipped.text[:3000]
    assert deal_money(stack, deal)["status"] == "shipped"
    assert balances(bank_api, seller_no)[seller_no] == before[seller_no]
    assert visitor.post(f"/deals/{deal}/complete/").status_code == 302
    settled = wait_money_settled(stack, deal)
    assert settled == {
        "status": "completed",
        "settled": True,
        "released": 3_703_71,
        "returned": 0,
        "problem": "",
    }
    after = balances(bank_api, *accounts)
    assert after[buyer_no] == before[buyer_no] - 3_703_71
    assert after[seller_no] == before[seller_no] + money["net"]
    assert after[platform_no] == before[platform_no] + money["commission"]
    assert "Paid to the seller on" in visitor.get(f"/deals/{deal}/").text
    stack.bank.manage("reconcile")


def test_a_dispute_refunded_in_part_pays_the_rest_in_proportion_at_the_bank(
    stack: Stack, bank_api: BankClient
) -> None:
    buyer = make_buyers(stack, 1, deposit=50_000_00, tag="dispute")[0]
    visitor = signed_in(stack, buyer)
    deal = visitor.open_deal(make_offer(stack, price=1_000_01))
    money = deal_money(stack, deal)
    accounts = parties(stack, buyer)
    buyer_no, seller_no, platform_no = accounts
    before = balances(bank_api, *accounts)
    payment, code = request_code(stack, visitor, buyer, deal)
    assert visitor.confirm(payment, code).status_code == 302
    assert visitor.wait_final(payment)["status"] == "succeeded"
    seller = Visitor(stack.market.url)
    seller.sign_in("seller@demo.test", PASSWORD)
    assert seller.post(f"/deals/{deal}/ship/", {"method": "in_person"}).status_code == 302
    opened = visitor.post(f"/deals/{deal}/dispute/", {"reason": "damaged", "message": "A dent."})
    assert opened.status_code == 302, opened.text[:3000]
    answered = seller.post(f"/deals/{deal}/dispute/answer/", {"answer": "Packed well."})
    assert answered.status_code == 302
    staff = Visitor(stack.market.url)
    staff.sign_in("staff@demo.test", PASSWORD)
    dispute = int(
        stack.market.shell(
            f"from deals.models import Dispute; print(Dispute.objects.get(deal_id={deal}).pk)"
        )
        .strip()
        .splitlines()[-1]
    )
    resolved = staff.post(
        f"/admin/deals/dispute/{dispute}/resolve/",
        {"outcome": "partial", "refund_amount": "333.34", "reason": "A dent on the side."},
    )
    assert resolved.status_code == 302, resolved.text[:3000]
    settled = wait_money_settled(stack, deal)
    captured = 1_000_01 - 333_34
    assert (settled["status"], settled["released"], settled["returned"]) == (
        "completed",
        captured,
        333_34,
    )
    after = balances(bank_api, *accounts)
    seller_got = after[seller_no] - before[seller_no]
    platform_got = after[platform_no] - before[platform_no]
    assert after[buyer_no] == before[buyer_no] - captured
    assert seller_got + platform_got == captured
    # The commission follows the captured part (the bank's largest-remainder rounding).
    assert abs(platform_got - captured * money["commission"] / money["amount"]) < 1
    assert "A dent on the side." in visitor.get(f"/deals/{deal}/").text
    stack.bank.manage("reconcile")


def test_wrong_code_shows_the_attempts_left_and_moves_nothing(
    stack: Stack, bank_api: BankClient
) -> None:
    buyer = make_buyers(stack, 1, deposit=10_000_00, tag="wrong")[0]
    visitor = signed_in(stack, buyer)
    deal = visitor.open_deal(make_offer(stack, price=100_00))
    payment, code = request_code(stack, visitor, buyer, deal)
    response = visitor.confirm(payment, wrong(code))
    assert response.status_code == 400
    assert "4 attempts left" in response.text
    assert balances(bank_api, buyer.account_number)[buyer.account_number] == 10_000_00
    assert visitor.confirm(payment, code).status_code == 302
    assert visitor.wait_final(payment)["status"] == "succeeded"


def test_expired_code_offers_a_new_one(stack: Stack) -> None:
    buyer = make_buyers(stack, 1, deposit=10_000_00, tag="expired")[0]
    visitor = signed_in(stack, buyer)
    deal = visitor.open_deal(make_offer(stack, price=100_00))
    payment, code = request_code(stack, visitor, buyer, deal)
    stack.bank.shell("""
from datetime import timedelta
from django.utils import timezone
from operations.models import Operation
Operation.objects.filter(status="awaiting_code", code_expires_at__gt=timezone.now()).update(
    code_expires_at=timezone.now() - timedelta(seconds=1))
""")
    response = visitor.confirm(payment, code)
    assert response.status_code == 400
    assert "expired" in response.text
    sent = mails_to(stack, buyer.email)
    time.sleep(1.1)  # the bank's resend interval in the test stack
    assert visitor.post(f"/payments/{payment}/resend/").status_code == 302
    new_code = stack.smtp.last_code(buyer.email, count=sent + 1)
    assert visitor.confirm(payment, new_code).status_code == 302
    assert visitor.wait_final(payment)["status"] == "succeeded"


def test_five_wrong_codes_stop_the_payment_and_the_deal_can_be_paid_with_a_new_code(
    stack: Stack, bank_api: BankClient
) -> None:
    buyer = make_buyers(stack, 1, deposit=10_000_00, tag="blocked")[0]
    visitor = signed_in(stack, buyer)
    deal = visitor.open_deal(make_offer(stack, price=100_00))
    payment, code = request_code(stack, visitor, buyer, deal)
    for left in (4, 3, 2, 1):
        assert f"{left} attempt" in visitor.confirm(payment, wrong(code)).text
    final = visitor.confirm(payment, wrong(code))
    assert final.status_code == 302  # back to the deal, with the reason
    assert "Too many wrong codes" in visitor.get(final.headers["location"]).text
    assert visitor.payment_status(payment)["status"] == "failed"
    assert deal_money(stack, deal)["status"] == "created"
    again, new_code = request_code(stack, visitor, buyer, deal)
    assert again != payment
    assert visitor.confirm(again, new_code).status_code == 302
    assert visitor.wait_final(again)["status"] == "succeeded"
    assert balances(bank_api, buyer.account_number)[buyer.account_number] == 9_900_00


def test_double_click_on_pay_and_double_submit_of_the_code_pay_once(
    stack: Stack, bank_api: BankClient
) -> None:
    buyer = make_buyers(stack, 1, deposit=10_000_00, tag="double")[0]
    visitor = signed_in(stack, buyer)
    deal = visitor.open_deal(make_offer(stack, price=250_00))
    sent = mails_to(stack, buyer.email)
    with ThreadPoolExecutor(max_workers=5) as pool:
        clicks = list(pool.map(lambda _: visitor.start_payment(deal, buyer.account_id), range(5)))
    assert {payment_id_from(r) for r in clicks} == {payment_id_from(clicks[0])}
    payment = payment_id_from(clicks[0])
    code = stack.smtp.last_code(buyer.email, count=sent + 1)
    time.sleep(0.5)
    assert mails_to(stack, buyer.email) == sent + 1  # one operation, one code
    with ThreadPoolExecutor(max_workers=5) as pool:
        submits = list(pool.map(lambda _: visitor.confirm(payment, code), range(5)))
    assert all(r.status_code in (302, 400) for r in submits)
    assert any(r.status_code == 302 for r in submits)
    assert visitor.wait_final(payment)["status"] == "succeeded"
    time.sleep(1)
    assert balances(bank_api, buyer.account_number)[buyer.account_number] == 9_750_00
    count = stack.market.shell(
        f"from payments.models import Payment; "
        f"print(Payment.objects.filter(deal_id={deal}).count())"
    )
    assert count.strip().splitlines()[-1] == "1"


def test_money_spent_elsewhere_before_execution_fails_the_payment(
    stack: Stack, bank_api: BankClient
) -> None:
    buyer = make_buyers(stack, 1, deposit=1_000_00, tag="spent")[0]
    visitor = signed_in(stack, buyer)
    deal = visitor.open_deal(make_offer(stack, price=800_00))
    payment, code = request_code(stack, visitor, buyer, deal)
    stack.bank.shell(f"""
from ledger.models import Account
from ledger.services import Leg, cash_account, posting_create
from django.db import transaction
with transaction.atomic():
    a = Account.objects.get(number="{buyer.account_number}")
    posting_create(kind="adjustment", description="spent at a shop",
                   legs=[Leg(a.pk, -500_00), Leg(cash_account().pk, 500_00)])
""")
    assert visitor.confirm(payment, code).status_code == 302
    status = visitor.wait_final(payment)
    assert (status["status"], status["failure_reason"]) == ("failed", "insufficient_funds")
    assert "did not have enough money" in visitor.get(f"/payments/{payment}/").text
    assert deal_money(stack, deal)["status"] == "payment_failed"
    assert balances(bank_api, buyer.account_number)[buyer.account_number] == 500_00
    choose = visitor.get(f"/payments/deal/{deal}/")
    assert choose.status_code == 200  # the buyer may pay again
    assert "not enough for this deal" in choose.text


def unavailable_executes(stack: Stack, payment: int) -> int:
    """How many times the bank-call log saw the execution find the bank down."""
    out = stack.market.shell(
        f"from banking.models import BankCall as E; print(E.objects.filter("
        f"payment_id={payment}, action='hold_place', outcome='unavailable').count())"
    )
    return int(out.strip().splitlines()[-1])


def test_bank_down_during_execution_is_retried_until_it_is_back(
    stack: Stack, bank_api: BankClient
) -> None:
    buyer = make_buyers(stack, 1, deposit=10_000_00, tag="down")[0]
    visitor = signed_in(stack, buyer)
    deal = visitor.open_deal(make_offer(stack, price=300_00))
    payment, code = request_code(stack, visitor, buyer, deal)
    stack.market.stop("worker")
    try:
        assert visitor.confirm(payment, code).status_code == 302
        stack.bank.stop("web")
        stack.market.start_worker()
        # The task tries, fails, and backs off (the worker may take a while to boot).
        deadline = time.monotonic() + 60
        while unavailable_executes(stack, payment) == 0:
            assert time.monotonic() < deadline, "the worker never tried the execution"
            time.sleep(0.5)
        assert visitor.payment_status(payment)["status"] == "processing"
    finally:
        stack.bank.start_web()
    assert visitor.wait_final(payment, timeout=90)["status"] == "succeeded"
    assert unavailable_executes(stack, payment) >= 1
    assert balances(bank_api, buyer.account_number)[buyer.account_number] == 9_700_00


def test_a_worker_killed_mid_task_is_covered_by_the_periodic_check(
    stack: Stack, bank_api: BankClient
) -> None:
    buyer = make_buyers(stack, 1, deposit=10_000_00, tag="killed")[0]
    visitor = signed_in(stack, buyer)
    deal = visitor.open_deal(make_offer(stack, price=400_00))
    payment, code = request_code(stack, visitor, buyer, deal)
    stack.market.stop("worker", sig=signal.SIGKILL)
    try:
        assert visitor.confirm(payment, code).status_code == 302
        # The task died with the worker: drop it from the broker as if it were lost.
        redis.Redis.from_url(f"{REDIS}/{MARKET_REDIS_DB}").delete("celery")
    finally:
        stack.market.start_worker()
    assert visitor.wait_final(payment, timeout=90)["status"] == "succeeded"
    assert balances(bank_api, buyer.account_number)[buyer.account_number] == 9_600_00


def test_another_user_gets_404_on_the_payment_pages(stack: Stack) -> None:
    buyer, stranger = make_buyers(stack, 2, deposit=1_000_00, tag="privacy")
    visitor = signed_in(stack, buyer)
    deal = visitor.open_deal(make_offer(stack, price=10_00))
    payment, _code = request_code(stack, visitor, buyer, deal)
    other = signed_in(stack, stranger)
    for path in (
        f"/payments/{payment}/code/",
        f"/payments/{payment}/",
        f"/payments/{payment}/status.json",
        f"/payments/deal/{deal}/",
        f"/deals/{deal}/",
    ):
        assert other.get(path).status_code == 404, path
    assert other.post(f"/payments/{payment}/code/", {"code": "123456"}).status_code == 404


def run_payment(stack: Stack, buyer: Buyer, deal: int) -> dict[str, Any]:
    visitor = signed_in(stack, buyer)
    try:
        # Fifty code emails leave the bank's outbox at once: the last may take a while.
        payment, code = request_code(stack, visitor, buyer, deal, timeout=90)
        visitor.confirm(payment, code)
        return visitor.wait_final(payment, timeout=180)
    finally:
        visitor.close()


def total_at_bank(stack: Stack) -> tuple[int, int]:
    out = stack.bank.shell("""
from django.db.models import Sum
from ledger.models import Account
print(Account.objects.aggregate(s=Sum("balance"))["s"],
      Account.objects.filter(kind="customer", balance__lt=0).count())
""")
    total, negative = out.strip().splitlines()[-1].split()
    return int(total), int(negative)


@pytest.mark.timeout_heavy
def test_fifty_buyers_pay_fifty_deals_at_once(stack: Stack, bank_api: BankClient) -> None:
    buyers = make_buyers(stack, 50, deposit=1_000_00, tag="crowd")
    offer = make_offer(stack, price=100_00)
    deals = []
    for buyer in buyers:
        visitor = signed_in(stack, buyer)
        deals.append(visitor.open_deal(offer))
        visitor.close()
    total_before, _ = total_at_bank(stack)
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(
            pool.map(lambda pair: run_payment(stack, *pair), zip(buyers, deals, strict=True))
        )
    assert [r["status"] for r in results] == ["succeeded"] * 50
    total_after, negative = total_at_bank(stack)
    assert (total_after, negative) == (total_before, 0)
    assert set(balances(bank_api, *[b.account_number for b in buyers]).values()) == {900_00}
    stack.bank.manage("reconcile")


def test_one_buyer_paying_two_deals_at_once_from_an_account_that_covers_one(
    stack: Stack, bank_api: BankClient
) -> None:
    buyer = make_buyers(stack, 1, deposit=150_00, tag="two")[0]
    offer = make_offer(stack, price=100_00)
    visitor = signed_in(stack, buyer)
    deals = [visitor.open_deal(offer), visitor.open_deal(offer)]
    codes = []
    for deal in deals:  # both pass the balance check: 150 covers 100
        codes.append(request_code(stack, visitor, buyer, deal))
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda pc: visitor.confirm(*pc), codes))
    outcomes = sorted(visitor.wait_final(p)["status"] for p, _ in codes)
    assert outcomes == ["failed", "succeeded"]
    assert balances(bank_api, buyer.account_number)[buyer.account_number] == 50_00
    assert total_at_bank(stack)[1] == 0
    stack.bank.manage("reconcile")
