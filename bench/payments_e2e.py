"""Marketplace payments per second end to end, with N Celery worker processes.

Both services run as real servers (e2e/stack.py: gunicorn on PostgreSQL, Celery on
Redis, the bank's code emails over real SMTP into a catcher in this process). K buyers,
each with money at the bank and one unpaid deal, pay at the same moment, each from its own
HTTP "person": Pay (POST) → the code from the email → the code (POST) → the status page's
polling until the payment is final. For each payment:

- t_request: before the Pay POST;  t_code: the code email reached the catcher;
- t_confirm: the code POST returned (the payment is "processing", the task queued);
- t_paid: the payment's ``finished_at`` in the marketplace's database (set in the same
  transaction that marks it succeeded), so the status polling's interval does not blur it.

Payments/s = K / (last t_paid - first t_request). The marketplace worker runs without beat
(the periodic check is a safety net, not the path). References in the same run: one payment
alone (sequential), and the bank API's executed transfers/s (bench/bank_transfers.py's
method on the same bank server). Each configuration ends with checks: every payment
succeeded, the bank's total of balances is unchanged, every buyer paid exactly once, the
seller and the platform got exactly the net and the commission, ``manage.py reconcile``.

Usage: .venv/bin/python bench/payments_e2e.py [--workers 1 2 4] [--payments 60]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ["E2E_NAME"] = "benchpay"  # databases benchpay_*, logs test-artifacts/benchpay-logs
os.environ["E2E_REDIS_DBS"] = "10,11"  # the e2e tests use 14,15
sys.path[:0] = [str(REPO), str(REPO / "e2e"), str(REPO / "marketplace")]

from bench._harness import machine, percentile, say  # noqa: E402
from bench._payments_stack import (  # noqa: E402
    DEPOSIT,
    Buyer,
    Inbox,
    Settled,
    bank_snapshot,
    bank_worker_log,
    make_buyers,
    make_offer,
    settled,
    start_market_worker,
    task_runtimes,
)
from bench.bank_transfers import fire  # noqa: E402
from client import Visitor, payment_id_from  # noqa: E402
from paylib.smtp_catcher import SmtpCatcher  # noqa: E402
from stack import BIN, Stack, start_stack  # noqa: E402


@dataclass(frozen=True)
class Timing:
    """One payment's moments, Unix seconds (this process's clock = the services' clock)."""

    deal_id: int
    payment_id: int
    t_request: float
    t_started: float  # the Pay POST returned
    t_code: float
    t_confirm_sent: float
    t_confirm: float
    status: str = ""  # as the status page last showed it
    t_paid: float = 0.0  # finished_at, from the database


@dataclass(frozen=True)
class Result:
    label: str
    timings: list[Timing]
    tasks: dict[str, list[float]]  # Celery task runtimes (s), both services' workers

    @property
    def per_second(self) -> float:
        first = min(t.t_request for t in self.timings)
        return len(self.timings) / (max(t.t_paid for t in self.timings) - first)


def signed_in(stack: Stack, buyer: Buyer) -> Visitor:
    """A person with the CSRF cookie of an anonymous visit, then the buyer's session."""
    visitor = Visitor(stack.market.url)
    visitor.get("/users/login/")
    visitor.http.cookies.set("market_sessionid", buyer.session_key, domain="127.0.0.1")
    return visitor


def wait_final(visitor: Visitor, payment_id: int, timeout: float = 120) -> str:
    """Poll like the status page's script: after 1 s, then 1.5 times longer, at most 5 s."""
    delay, deadline = 1.0, time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(delay)
        status = visitor.payment_status(payment_id)
        if status["final"]:
            return str(status["status"])
        delay = min(delay * 1.5, 5.0)
    raise TimeoutError(f"payment {payment_id} not final after {timeout}s")


def pay(visitor: Visitor, inbox: Inbox, buyer: Buyer) -> Timing:
    t_request = time.time()
    response = visitor.start_payment(buyer.deal_id, buyer.account_id)
    t_started = time.time()
    payment = payment_id_from(response)
    code, t_code = inbox.take(buyer.email)
    t_confirm_sent = time.time()
    confirmed = visitor.confirm(payment, code)
    t_confirm = time.time()
    if confirmed.status_code != 302:
        raise RuntimeError(f"payment {payment}: code refused: {confirmed.text[:500]}")
    timing = Timing(buyer.deal_id, payment, t_request, t_started, t_code, t_confirm_sent, t_confirm)
    return replace(timing, status=wait_final(visitor, payment))


def pay_all(stack: Stack, inbox: Inbox, buyers: list[Buyer]) -> list[Timing]:
    """All at once: every thread signs in first, then they start together."""
    visitors = [signed_in(stack, b) for b in buyers]
    go = threading.Barrier(len(buyers))

    def one(pair: tuple[Visitor, Buyer]) -> Timing:
        go.wait()
        return pay(pair[0], inbox, pair[1])

    try:
        with ThreadPoolExecutor(max_workers=len(buyers)) as pool:
            return list(pool.map(one, zip(visitors, buyers, strict=True)))
    finally:
        for visitor in visitors:
            visitor.close()


def pay_one_by_one(stack: Stack, inbox: Inbox, buyers: list[Buyer]) -> list[Timing]:
    timings = []
    for buyer in buyers:
        visitor = signed_in(stack, buyer)
        try:
            timings.append(pay(visitor, inbox, buyer))
        finally:
            visitor.close()
    return timings


def with_paid_times(timings: list[Timing], rows: list[Settled]) -> list[Timing]:
    by_deal = {row.deal_id: row for row in rows}
    return [replace(t, t_paid=by_deal[t.deal_id].finished_at) for t in timings]


def check_money(
    stack: Stack, buyers: list[Buyer], rows: list[Settled], before: dict[str, int]
) -> None:
    """Everything succeeded, no kopeck appeared or vanished, each party got its share."""
    seller, platform = parties(stack)
    after = bank_snapshot(stack, [b.account_number for b in buyers] + [seller, platform])
    failures = [
        f"{name}: {got} != {want}"
        for name, got, want in [
            ("payments", sorted({r.status for r in rows}), ["succeeded"]),
            ("count", len(rows), len(buyers)),
            ("total", after["_total"], before["_total"]),
            ("negative", after["_negative"], 0),
            ("buyers", {after[b.account_number] for b in buyers}, {DEPOSIT - rows[0].amount}),
            ("seller", after[seller] - before[seller], sum(r.seller_net for r in rows)),
            ("platform", after[platform] - before[platform], sum(r.commission for r in rows)),
        ]
        if got != want
    ]
    if failures:
        raise AssertionError("; ".join(failures))
    stack.bank.manage("reconcile")


def parties(stack: Stack) -> tuple[str, str]:
    demo = stack.bank_demo
    accounts: dict[str, str] = demo["accounts"]  # type: ignore[assignment]
    return accounts["seller@demo.test"], str(demo["PLATFORM_ACCOUNT"])


def measure(
    stack: Stack, label: str, buyers: list[Buyer], run: Callable[[], list[Timing]], log: Path
) -> Result:
    """Run the payments, read the paid times and the task runtimes, check the money."""
    seller, platform = parties(stack)
    before = bank_snapshot(stack, [seller, platform])
    market_from, bank_from = log.stat().st_size, bank_worker_log().stat().st_size
    timings = run()
    rows = settled(stack, [b.deal_id for b in buyers])
    check_money(stack, buyers, rows, before)
    tasks = task_runtimes(log, since=market_from)
    tasks.update(task_runtimes(bank_worker_log(), since=bank_from))
    return Result(label, with_paid_times(timings, rows), tasks)


def ms(values: list[float], p: float = 50) -> str:
    return f"{percentile(values, p) * 1000:.0f}" if values else "-"


HEADER = (
    "| workers | payments | payments/s | confirm→paid p50 / p95, ms | Pay→paid p50, ms "
    "| Pay POST p50, ms | Pay→code in inbox p50, ms | code POST p50, ms "
    "| code email task p50, ms | execute task p50, ms |"
)


def row(result: Result) -> str:
    t = result.timings
    to_paid = [x.t_paid - x.t_confirm for x in t]
    cells = [
        result.label,
        str(len(t)),
        f"{result.per_second:.1f}",
        f"{ms(to_paid)} / {ms(to_paid, 95)}",
        ms([x.t_paid - x.t_request for x in t]),
        ms([x.t_started - x.t_request for x in t]),
        ms([x.t_code - x.t_request for x in t]),
        ms([x.t_confirm - x.t_confirm_sent for x in t]),
        ms(result.tasks.get("send_code_email", [])),
        ms(result.tasks.get("execute_payment", [])),
    ]
    return "| " + " | ".join(cells) + " |"


def queue_note(result: Result) -> str:
    """How much of confirm→paid is waiting in the queue rather than in the task."""
    to_paid = [x.t_paid - x.t_confirm for x in result.timings]
    emails = result.tasks.get("send_payment_emails", [])
    return (
        f"  {result.label}: confirm→paid p50 {ms(to_paid)} ms, of which in the execute task "
        f"{ms(result.tasks.get('execute_payment', []))} ms (p50; bank execute call + "
        f"settlement); the same worker also ran {len(emails)} send_payment_emails tasks "
        f"(p50 {ms(emails)} ms)"
    )


def bank_reference(stack: Stack, payments: int, clients: int) -> tuple[float, list[float]]:
    """Executed transfers/s of the same bank server, as bench/bank_transfers.py fires them."""
    env = {
        **stack.bank.env,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "PYTHONPATH": f"{REPO}:{REPO / 'bank'}",
    }
    result = subprocess.run(
        [str(BIN / "python"), str(REPO / "bench" / "_bank_setup.py"), str(payments), "100"],
        cwd=REPO / "bank",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed, latencies = fire(stack.bank.url, json.loads(result.stdout), clients)
    stack.bank.manage("reconcile")
    return payments / elapsed, latencies


def configuration(
    stack: Stack, inbox: Inbox, offer: int, workers: int, payments: int, alone: int
) -> tuple[Result | None, Result]:
    """One worker setting: optionally a few payments one by one, then K at once."""
    role, log = start_market_worker(stack, workers)
    try:
        sequential = None
        if alone:
            warm = make_buyers(stack, alone + 1, offer=offer, tag=f"alone{workers}")
            pay_one_by_one(stack, inbox, warm[:1])  # warms the processes' connections
            solo = warm[1:]
            sequential = measure(
                stack,
                f"1 at a time ({workers})",
                solo,
                lambda: pay_one_by_one(stack, inbox, solo),
                log,
            )
        buyers = make_buyers(stack, payments, offer=offer, tag=f"crowd{workers}")
        crowd = measure(stack, str(workers), buyers, lambda: pay_all(stack, inbox, buyers), log)
        return sequential, crowd
    finally:
        stack.market.stop(role)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--payments", type=int, default=60, help="K, paid at once")
    parser.add_argument("--alone", type=int, default=3, help="payments one by one (reference)")
    parser.add_argument("--bank-transfers", type=int, default=300, help="0 to skip")
    args = parser.parse_args()
    say(f"machine: {machine()}")
    with SmtpCatcher() as smtp:
        stack = start_stack(smtp)
        inbox = Inbox(smtp)
        try:
            stack.market.stop("worker")  # replaced by one per configuration, without beat
            run_all(stack, inbox, args)
        finally:
            inbox.close()
            stack.stop()


def run_all(stack: Stack, inbox: Inbox, args: argparse.Namespace) -> None:
    offer = make_offer(stack)
    results: list[Result] = []
    for n, workers in enumerate(args.workers):
        say(f"{workers} worker process(es): {args.payments} payments at once ...")
        sequential, crowd = configuration(
            stack, inbox, offer, workers, args.payments, args.alone if n == 0 else 0
        )
        results += [r for r in (sequential, crowd) if r is not None]
        say(row(crowd))
    say("")
    say(HEADER)
    say("|" + "---|" * HEADER.count(" |"))
    for result in results:
        say(row(result))
    for result in results:
        if result.label.isdigit():
            say(queue_note(result))
    if args.bank_transfers:
        per_second, latencies = bank_reference(stack, args.bank_transfers, clients=8)
        best = max(r.per_second for r in results)
        say(
            f"bank API alone, same server: {per_second:.0f} executed transfers/s "
            f"(8 client threads), execute latency p50 {ms(latencies)} ms, "
            f"p95 {ms(latencies, 95)} ms; best end-to-end / bank-only = {best / per_second:.3f}"
        )
    say("checks: all payments succeeded, bank totals unchanged, shares exact, reconcile ok")


if __name__ == "__main__":
    main()
