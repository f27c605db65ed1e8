"""The fault test (issue 12): buyers pay at once while the marketplace's worker, the bank's
web server and Redis are killed and restarted and the database connections of both
services are ended. Afterwards money is conserved, every payment is final, every email
that became due went out exactly once, and no answer was a 500.

Not part of ``make test`` yet: ``make test-faults``. A stack of its own on a Redis of its
own. The findings go to ``test-artifacts/<E2E_NAME>_faults-report.json`` too.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from conftest import make_buyers, make_offer
from faults import Answers, Injector, Journey, Session, code_emails, shop_like_a_person
from paylib.smtp_catcher import SmtpCatcher
from redis_server import RedisServer
from stack import LOGS, NAME, Stack, start_stack
from test_payments import total_at_bank

pytestmark = pytest.mark.faults

BUYERS = 16
DEPOSIT = 10_000_00  # enough for every deal a buyer opens in the run
PRICE = 100_00
FAULTS_FOR = 50.0  # seconds of faults, while the buyers pay
PAYING_FOR = 80.0  # seconds the buyers keep at it
SETTLE_FOR = 30.0  # seconds for the periodic checks to finish what is left


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def faulty_stack(broker: RedisServer) -> Iterator[Stack]:
    with SmtpCatcher() as smtp:
        stack = start_stack(smtp, name=f"{NAME}_faults", redis_url=broker.url, redis_dbs=(0, 1))
        try:
            yield stack
        finally:
            stack.stop()


def test_payments_under_faults_conserve_money_finish_email_once_and_never_500(
    faulty_stack: Stack, broker: RedisServer
) -> None:
    stack = faulty_stack
    prepared = time.monotonic()
    buyers = make_buyers(stack, BUYERS, deposit=DEPOSIT, tag="fault")
    offer = make_offer(stack, price=PRICE, quantity=100_000)
    money_before, _ = total_at_bank(stack)
    answers = Answers()
    injector = Injector(stack, broker)
    faults = threading.Thread(target=injector.run)
    started = time.monotonic()
    faults.start()
    try:
        with ThreadPoolExecutor(max_workers=BUYERS) as pool:
            futures = [
                pool.submit(
                    shop_like_a_person,
                    stack,
                    buyer,
                    offer,
                    answers,
                    buy_until=started + FAULTS_FOR,
                    until=started + PAYING_FOR,
                )
                for buyer in buyers
            ]
            time.sleep(max(0.0, started + FAULTS_FOR - time.monotonic()))
            injector.stop()
            faults.join()
            sessions = [f.result() for f in futures]
    finally:
        injector.stop()
        faults.join()
    report = settle_and_check(stack, sessions, answers, injector, money_before)
    report["seconds"] = {
        "buyers_and_deals": round(started - prepared),
        "paying_and_settling": round(time.monotonic() - started),
    }
    (LOGS.parent / f"{NAME}_faults-report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    assert not report["violations"], "\n".join(report["violations"])


def settle_and_check(
    stack: Stack, sessions: list[Session], answers: Answers, injector: Injector, before: int
) -> dict[str, Any]:
    journeys = [journey for session in sessions for journey in session.journeys]
    deadline = time.monotonic() + SETTLE_FOR
    while (state := payments_state(stack))["unfinished"] and time.monotonic() < deadline:
        time.sleep(2)
    time.sleep(5)  # the emails of the last payments
    state = payments_state(stack)
    violations: list[str] = []
    money_after, negative = total_at_bank(stack)
    if money_after != before or negative:
        violations.append(f"money: {before} before, {money_after} after, {negative} negative")
    try:
        stack.bank.manage("reconcile")
    except RuntimeError as error:
        violations.append(f"reconcile: {error}")
    for pid, status, events in state["unfinished"]:
        violations.append(f"payment {pid} not final: {status}; its bank calls: {events}")
    violations += check_emails(stack, journeys, state)
    for line, count in Counter(answers.server_errors).most_common():
        violations.append(f"{count} x {line}")
    return {
        "faults": dict(injector.counts),
        "payments": dict(Counter(status for _, status in state["payments"].values())),
        "deals": dict(Counter(j.final_status or "not final for the buyer" for j in journeys)),
        "buyers_stopped_by": [s.error for s in sessions if s.error],
        "answers": {str(k): v for k, v in sorted(answers.statuses.items())},
        "transport_errors": dict(answers.transport_errors),
        "confirmed_never_executed": state["confirmed_operations"],
        "violations": violations,
    }


def payments_state(stack: Stack) -> dict[str, Any]:
    market = stack.market.shell("""
import json
from payments.models import Payment, PaymentEvent
ours = Payment.objects.filter(deal__buyer__email__startswith="fault-")
payments = {p.pk: [p.deal_id, p.status] for p in ours}
calls = lambda pk: list(PaymentEvent.objects.filter(payment_id=pk).values_list("action", "outcome"))
unfinished = [[pk, st, calls(pk)] for pk, (deal, st) in payments.items()
              if st not in ("succeeded", "failed")]
print(json.dumps({"payments": payments, "unfinished": unfinished}))
""")
    bank = stack.bank.shell("""
from operations.models import Operation
print(Operation.objects.filter(status="confirmed", customer__email__startswith="fault-").count())
""")
    state: dict[str, Any] = json.loads(market.strip().splitlines()[-1])
    state["payments"] = {int(k): tuple(v) for k, v in state["payments"].items()}
    state["confirmed_operations"] = int(bank.strip().splitlines()[-1])
    return state


def check_emails(stack: Stack, journeys: list[Journey], state: dict[str, Any]) -> list[str]:
    """Each code the bank issued reached the buyer once; each paid deal's emails went out
    once to the buyer and once to the seller, and none for a deal that was not paid."""
    problems = []
    sends = json.loads(
        stack.bank.shell("""
import json
from django.db.models import Sum
from operations.models import Operation
rows = Operation.objects.filter(kind="payment", customer__email__startswith="fault-").values(
    "customer__email").annotate(sends=Sum("code_sends"))
print(json.dumps({r["customer__email"]: r["sends"] for r in rows}))
""")
        .strip()
        .splitlines()[-1]
    )
    for email in sorted({journey.buyer.email for journey in journeys}):
        issued, delivered = sends.get(email, 0), len(code_emails(stack, email))
        if issued != delivered:
            problems.append(f"code emails to {email}: {issued} issued, {delivered} delivered")
    paid = {deal for deal, status in state["payments"].values() if status == "succeeded"}
    received: Counter[tuple[int, str]] = Counter()
    for message in stack.smtp.messages:
        found = re.search(r"#(\d+) is paid", str(message["Subject"]))
        if found:
            received[(int(found[1]), str(message["To"]))] += 1
    seller = "seller@demo.test"
    for journey in journeys:
        buyer_count = received[(journey.deal, journey.buyer.email)]
        seller_count = received[(journey.deal, seller)]
        expected = 1 if journey.deal in paid else 0
        if (buyer_count, seller_count) != (expected, expected):
            problems.append(
                f"paid emails for deal {journey.deal} ({'paid' if expected else 'not paid'}): "
                f"{buyer_count} to the buyer, {seller_count} to the seller"
            )
    return problems
