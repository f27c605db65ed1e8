"""The fault test (issue 12): buyers pay at once while the marketplace's worker, the bank's
web server and Redis are killed and restarted and the database connections of both
services are ended. Afterwards money is conserved, every payment is final, every email
that became due went out (once, but for a worker killed between the mail server's
acceptance and the commit: see ``check_emails``), and no answer was a 500.

``make test-faults``, part of ``make test``. A stack of its own on a Redis of its own.
The findings go to ``test-artifacts/<E2E_NAME>_faults-report.json`` too.
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
from faults import Answers, Injector, Journey, Session, shop_like_a_person
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
    # Not a run where nothing happened: buyers paid, and every kind of fault struck them.
    assert report["payments"].get("succeeded", 0) >= 2 * BUYERS, report["payments"]
    assert not report["buyers_stopped_by"], report["buyers_stopped_by"]
    for fault in ("kill_redis", "kill_market_worker", "kill_bank_web", "end_db_connections"):
        assert report["faults"].get(fault, 0) >= 1, report["faults"]


def settle_and_check(
    stack: Stack, sessions: list[Session], answers: Answers, injector: Injector, before: int
) -> dict[str, Any]:
    journeys = [journey for session in sessions for journey in session.journeys]
    deadline = time.monotonic() + SETTLE_FOR
    while (state := payments_state(stack))["unfinished"] and time.monotonic() < deadline:
        time.sleep(2)
    # The emails of the last payments, and any a killed worker left for its lease to expire.
    while time.monotonic() < deadline + 30 and any(
        outbox_state(service)["not_done"] for service in (stack.bank, stack.market)
    ):
        time.sleep(2)
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
    duplicates: dict[str, int] = {}
    violations += check_emails(stack, journeys, state, duplicates)
    kills = injector.counts.get("kill_market_worker", 0)
    if max(duplicates.values(), default=0) > kills:
        violations.append(f"more repeated emails {duplicates} than worker kills ({kills})")
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
        "emails_repeated_after_a_kill": duplicates,
        "violations": violations,
    }


def payments_state(stack: Stack) -> dict[str, Any]:
    market = stack.market.shell("""
import json
from banking.models import BankCall
from payments.models import Payment
ours = Payment.objects.filter(deal__buyer__email__startswith="fault-")
payments = {p.pk: [p.deal_id, p.status] for p in ours}
calls = lambda pk: list(BankCall.objects.filter(payment_id=pk).values_list("action", "outcome"))
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


def outbox_state(service: Any) -> dict[str, Any]:
    """Every outbox message of a service: the ones not done, and the id of each code email
    that is still due (the newest code of an operation still waiting for it)."""
    out = service.shell("""
import json
from paylib.outbox.models import Message
pending = list(Message.objects.filter(done_at__isnull=True).values_list("pk", "kind", "last_error"))
due = []
try:
    from operations.models import Operation
except ImportError:
    Operation = None
if Operation is not None:
    waiting = Operation.objects.filter(status="awaiting_code", customer__email__startswith="fault-")
    keys = {f"code:{op.pk}:{op.code_sends}": op.customer.email for op in waiting}
    due = [[m.pk, keys[m.key]] for m in Message.objects.filter(key__in=keys)]
print(json.dumps({"not_done": pending, "due_codes": due, "total": Message.objects.count()}))
""")
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def outbox_ids(stack: Stack, domain: str) -> Counter[int]:
    """How many times each outbox message of a service (by its sender's domain) arrived."""
    pattern = re.compile(rf"<outbox\.(\d+)\.\d+@{re.escape(domain)}>")
    found: Counter[int] = Counter()
    for message in stack.smtp.messages:
        match = pattern.fullmatch(str(message["Message-ID"]).strip())
        if match:
            found[int(match[1])] += 1
    return found


def check_emails(
    stack: Stack, journeys: list[Journey], state: dict[str, Any], duplicates: dict[str, int]
) -> list[str]:
    """Every email that became due went out: each service's outbox has nothing pending, the
    newest code of every operation still waiting for one arrived, each paid deal's emails
    went once to the buyer and once to the seller (by Message-ID), none for a deal that was
    not paid; and no message arrived twice but for a worker killed in the moment between
    the server's acceptance and the commit (counted into ``duplicates``)."""
    problems = []
    for name, service, domain in (
        ("bank", stack.bank, "bank.localhost"),
        ("marketplace", stack.market, "marketplace.localhost"),
    ):
        outbox = outbox_state(service)
        arrived = outbox_ids(stack, domain)
        problems += [
            f"{name} outbox message {m} ({k}) not delivered: {e}" for m, k, e in outbox["not_done"]
        ]
        # A worker killed between the mail server's "250 OK" and the commit that marks the
        # message done sends it again, with the same Message-ID (docs/architecture.md,
        # the outbox): at most once per kill of a worker, never more than twice.
        repeated = {m: n for m, n in arrived.items() if n > 1}
        duplicates[name] = len(repeated)
        problems += [
            f"{name} email of outbox message {m} arrived {n} times"
            for m, n in repeated.items()
            if n > 2
        ]
        problems += [
            f"{name}: the due code email {m} to {email} never arrived"
            for m, email in outbox["due_codes"]
            if not arrived[m]
        ]
    paid = {deal for deal, status in state["payments"].values() if status == "succeeded"}
    received: Counter[tuple[int, str]] = Counter()
    seen: set[str] = set()
    for message in stack.smtp.messages:
        found = re.search(r"#(\d+) is paid", str(message["Subject"]))
        if found and str(message["Message-ID"]) not in seen:  # a repeat is counted above
            seen.add(str(message["Message-ID"]))
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
