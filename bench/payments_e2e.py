"""Marketplace payments per second end to end, with N Celery worker processes.

Both services run as real servers (e2e/stack.py: gunicorn on PostgreSQL, Celery on
Redis, the bank's code emails over real SMTP into a catcher in this process), under their
own names (E2E_NAME=benchpay, Redis DBs 10 and 11) so that the e2e tests can run meanwhile.
For each N the marketplace's worker runs with ``--concurrency N`` and without beat (the
periodic check is a safety net, not the path); a few payments warm every process up; then
K buyers, each with money at the bank and one unpaid deal, pay at the same moment, each
from its own HTTP person: Pay (POST) → the code from the email → the code (POST) → the
status page's polling until the payment is final. For each payment:

- t_request: before the Pay POST;  t_code: the code email reached the catcher;
- t_confirm: the code POST returned (the payment is "processing", the task queued);
- t_paid: the payment's ``finished_at`` in the marketplace's database (set in the same
  transaction that marks it succeeded), so the status polling's interval does not blur it.

Payments/s = K / (last t_paid - first t_request). Stages come from the services' logs
(Celery's task runtimes, the marketplace's bank-call timings), CPU per payment from /proc
for every process of the run. Each N runs ``--repeat`` times and the try during which the
rest of the machine did the least is shown. References in the same run: a few payments one
at a time, and the bank API's executed transfers/s on the same bank server (fired as
bench/bank_transfers.py does). A payment is a safe deal's: the bank holds the buyer's money
(the hold placed), and the seller and the platform are paid when the buyer confirms receipt
(the capture, measured by bench/holds.py). Every try ends with checks: every payment
succeeded, the bank's total of balances is unchanged, every buyer's money is held exactly
once, the seller and the platform have nothing yet, ``manage.py reconcile`` passes.

Usage: .venv/bin/python bench/payments_e2e.py [--workers 1 2 4] [--payments 60]
       [--alone 3] [--repeat 2] [--bank-transfers 300]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
os.environ["E2E_NAME"] = "benchpay"  # databases benchpay_*, logs test-artifacts/benchpay-logs
os.environ["E2E_REDIS_DBS"] = "10,11"  # the e2e tests use 14,15
sys.path[:0] = [str(REPO), str(REPO / "e2e"), str(REPO / "marketplace")]

from bench._harness import machine, percentile, pgbench_tps, say  # noqa: E402
from bench._payments_stack import (  # noqa: E402
    DEPOSIT,
    Buyer,
    Inbox,
    Settled,
    bank_snapshot,
    cpu_seconds,
    cpu_used,
    log_marks,
    make_buyers,
    make_offer,
    readings,
    settled,
    start_market_worker,
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


ALONE = "1 at a time"


@dataclass(frozen=True)
class Result:
    label: str
    timings: list[Timing]
    stages: dict[str, list[float]]  # seconds: Celery task runs, bank calls (see readings)
    cpu: dict[str, float]  # CPU seconds used during the run, by component (see cpu_used)

    @property
    def crowd(self) -> bool:
        """K payments at once (not the one-by-one reference)."""
        return not self.label.startswith(ALONE)

    @property
    def per_second(self) -> float:
        """Payments/s; one by one it is 1 / the median Pay→paid (a person's pauses left out)."""
        if not self.crowd:
            return 1 / percentile([t.t_paid - t.t_request for t in self.timings], 50)
        first = min(t.t_request for t in self.timings)
        return len(self.timings) / (max(t.t_paid for t in self.timings) - first)

    @property
    def ours(self) -> float:
        """CPU seconds per payment of the run's processes (see ``CPU``)."""
        return sum(self.cpu.get(name, 0.0) for name in CPU) / len(self.timings)

    @property
    def other(self) -> float:
        """CPU seconds per payment of everything else the machine did meanwhile."""
        return self.cpu.get("_busy", 0.0) / len(self.timings) - self.ours


class Person(Visitor):
    """A Visitor whose every request opens its own connection.

    The web servers drop idle keep-alive connections after 2 s (gunicorn's default); a
    person who waits longer for the email would otherwise sometimes send into a socket
    that the server is closing, and get a reset (browsers retry those; httpx does not).
    """

    def __init__(self, base_url: str) -> None:
        no_keepalive = httpx.Limits(max_keepalive_connections=0)
        self.http = httpx.Client(
            base_url=base_url, timeout=60, follow_redirects=False, limits=no_keepalive
        )


def signed_in(stack: Stack, buyer: Buyer) -> Visitor:
    """A person with the CSRF cookie of an anonymous visit, then the buyer's session."""
    visitor = Person(stack.market.url)
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


People = list[tuple[Visitor, Buyer]]


@contextlib.contextmanager
def people(stack: Stack, buyers: list[Buyer]) -> Iterator[People]:
    """The buyers as signed-in persons, made before the clock (and the CPU count) starts."""
    crowd = [(signed_in(stack, buyer), buyer) for buyer in buyers]
    try:
        yield crowd
    finally:
        for visitor, _ in crowd:
            visitor.close()


def pay_all(inbox: Inbox, crowd: People) -> list[Timing]:
    """All at once: the threads wait for each other, then press Pay together."""
    go = threading.Barrier(len(crowd))

    def one(person: tuple[Visitor, Buyer]) -> Timing:
        go.wait()
        return pay(person[0], inbox, person[1])

    with ThreadPoolExecutor(max_workers=len(crowd)) as pool:
        return list(pool.map(one, crowd))


def pay_one_by_one(inbox: Inbox, crowd: People) -> list[Timing]:
    return [pay(visitor, inbox, buyer) for visitor, buyer in crowd]


def with_paid_times(timings: list[Timing], rows: list[Settled]) -> list[Timing]:
    by_deal = {row.deal_id: row for row in rows}
    return [replace(t, t_paid=by_deal[t.deal_id].finished_at) for t in timings]


def check_money(
    stack: Stack, buyers: list[Buyer], rows: list[Settled], before: dict[str, int]
) -> None:
    """Everything succeeded, no kopeck appeared or vanished, each buyer's money is held
    once, and the seller and the platform have nothing yet: a safe deal pays them when the
    buyer confirms receipt (the capture, measured by bench/holds.py)."""
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
            ("seller", after[seller] - before[seller], 0),
            ("platform", after[platform] - before[platform], 0),
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


def measure(stack: Stack, label: str, crowd: People, run: Callable[[], list[Timing]]) -> Result:
    """Run the payments, read the paid times and the logged stages, check the money."""
    buyers = [buyer for _, buyer in crowd]
    seller, platform = parties(stack)
    before = bank_snapshot(stack, [seller, platform])
    marks, cpu_before = log_marks(), cpu_seconds(stack)
    timings = run()
    cpu = cpu_used(cpu_before, cpu_seconds(stack))
    rows = settled(stack, [b.deal_id for b in buyers])
    check_money(stack, buyers, rows, before)
    return Result(label, with_paid_times(timings, rows), readings(marks), cpu)


def ms(values: list[float], p: float = 50) -> str:
    return f"{percentile(values, p) * 1000:.0f}" if values else "-"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


THROUGHPUT = ["workers", "payments", "payments/s", "Pay→paid p50 / p95, ms"]
THROUGHPUT += ["confirm→paid p50 / p95, ms"]


def throughput(result: Result) -> list[str]:
    t = result.timings
    to_paid = [x.t_paid - x.t_confirm for x in t]
    whole = [x.t_paid - x.t_request for x in t]
    return [
        result.label,
        str(len(t)),
        f"{result.per_second:.1f}",
        f"{ms(whole)} / {ms(whole, 95)}",
        f"{ms(to_paid)} / {ms(to_paid, 95)}",
    ]


STAGES = {  # column: the logged stage it shows (see _payments_stack.readings)
    "bank balance": "bank balance",
    "bank hold request": "bank hold request",
    "outbox deliveries (code and paid emails)": "deliver",
    "bank confirm": "bank confirm",
    "execute task (places the hold)": "execute_payment",
    "bank place": "bank place",
}


def stages(result: Result) -> list[str]:
    """Medians, ms: what the person waited for, and what the services logged."""
    t = result.timings
    seen = [
        ms([x.t_started - x.t_request for x in t]),
        ms([x.t_code - x.t_request for x in t]),
        ms([x.t_confirm - x.t_confirm_sent for x in t]),
        ms([x.t_paid - x.t_confirm for x in t]),
    ]
    return [result.label, *seen, *(ms(result.stages.get(s, [])) for s in STAGES.values())]


CPU = ["market web", "market worker", "bank web", "bank worker", "postgres", "bench client"]


def cpu_row(result: Result) -> list[str]:
    """CPU ms per payment by component, their total, what the cores could carry, and the
    machine's other work during the run (other processes, the kernel, hypervisor steal)."""
    each = {name: seconds / len(result.timings) for name, seconds in result.cpu.items()}
    cells = [f"{each.get(name, 0.0) * 1000:.0f}" for name in CPU]
    carry = f"{(os.cpu_count() or 1) / result.ours:.1f}"
    elsewhere = f"{result.other * 1000:.0f} / {each.get('_steal', 0.0) * 1000:.0f}"
    return [result.label, *cells, f"{result.ours * 1000:.0f}", carry, elsewhere]


STAGES_HEADER = ["workers", "Pay POST", "Pay→code in inbox", "code POST", "confirm→paid"]
STAGES_HEADER += list(STAGES)


def bank_reference(stack: Stack, transfers: int, tries: int) -> list[tuple[float, list[float]]]:
    """Executed transfers/s of the same bank server, fired as bench/bank_transfers.py does
    in its hot variant (each payment to one seller and the platform, as a marketplace's
    are): ``tries`` rounds of ``transfers`` confirmed payments from 8 client threads."""
    env = {
        **stack.bank.env,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "PYTHONPATH": f"{REPO}:{REPO / 'bank'}",
    }
    setup_script = str(REPO / "bench" / "_bank_setup.py")
    prepared = subprocess.run(
        [str(BIN / "python"), setup_script, str(transfers * tries), "100", "hot"],
        cwd=REPO / "bank",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    setup = json.loads(prepared.stdout)
    rounds = []
    for n in range(tries):
        calls = setup["calls"][n * transfers : (n + 1) * transfers]
        elapsed, latencies = fire([stack.bank.url], {**setup, "calls": calls}, 8)
        rounds.append((transfers / elapsed, latencies))
    stack.bank.manage("reconcile")
    return rounds


def configuration(
    stack: Stack,
    inbox: Inbox,
    offer: int,
    workers: int,
    payments: int,
    alone: int,
    instances: int = 1,
) -> list[Result]:
    """One worker setting: a warm-up, optionally a few payments one by one, then K at once.

    The warm-up (a few payments at once, not measured) lets every web process and worker
    child do its first-time imports and connections (Celery's producer, the bank client).
    """
    roles = [start_market_worker(stack, workers, n) for n in range(instances)]
    name = str(workers) if instances == 1 else f"{instances} × {workers}"
    try:
        warm = max(6, 2 * workers * instances)
        buyers = make_buyers(stack, warm + alone + payments, offer=offer, tag=f"w{workers}")
        with people(stack, buyers) as everyone:
            pay_all(inbox, everyone[:warm])
            solo, crowd = everyone[warm : warm + alone], everyone[warm + alone :]
            results = []
            if solo:
                label = f"{ALONE} ({name})"
                results.append(measure(stack, label, solo, lambda: pay_one_by_one(inbox, solo)))
            results.append(measure(stack, name, crowd, lambda: pay_all(inbox, crowd)))
        return results
    finally:
        stack.market.stop(*roles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--payments", type=int, default=60, help="K, paid at once")
    parser.add_argument("--alone", type=int, default=3, help="payments one by one (reference)")
    parser.add_argument("--bank-transfers", type=int, default=300, help="0 to skip")
    parser.add_argument("--repeat", type=int, default=2, help="tries; the quietest is shown")
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="marketplace Celery workers side by side, each with --workers processes",
    )
    args = parser.parse_args()
    say(f"machine: {machine()}")
    with SmtpCatcher() as smtp:
        stack = start_stack(smtp)
        inbox = Inbox(smtp)
        try:
            stack.market.stop("worker")  # replaced by one per configuration
            stack.market.stop("beat")  # measured without the periodic checks
            run_all(stack, inbox, args)
        finally:
            inbox.close()
            stack.stop()


def run_all(stack: Stack, inbox: Inbox, args: argparse.Namespace) -> None:
    offer = make_offer(stack)
    results: list[Result] = []
    for n, workers in enumerate(args.workers):
        tries = []
        for attempt in range(args.repeat):
            alone = args.alone if n == attempt == 0 else 0
            *sequential, crowd = configuration(
                stack, inbox, offer, workers, args.payments, alone, args.instances
            )
            say(
                f"{workers} worker process(es), try {attempt + 1}: {args.payments} payments "
                f"at once, {crowd.per_second:.1f}/s; the machine's other work meanwhile "
                f"{crowd.other * 1000:.0f} CPU ms per payment"
            )
            results += sequential
            tries.append(crowd)
        results.append(min(tries, key=lambda r: r.other))  # the quietest try
    report(results)
    best = max(r.per_second for r in results if r.crowd)
    if args.bank_transfers:
        bank_only(stack, args.bank_transfers, args.repeat, best)
    tps = pgbench_tps(clients=8, seconds=args.pgbench_seconds)
    say(f"\npgbench TPC-B, 8 clients, same PostgreSQL, same run: {tps:.0f} tps")
    say("checks: all payments succeeded, bank totals unchanged, each buyer's money held once")
    say("(the seller and the platform are paid at receipt), reconcile ok")
    say(f"ratio: best payments/s / TPC-B tps = {best:.1f} / {tps:.0f} = {best / tps:.4f}")


def bank_only(stack: Stack, transfers: int, tries: int, best: float) -> None:
    per_second, latencies = max(bank_reference(stack, transfers, tries))
    say(
        f"\nbank API alone, same server (best of {tries}): {per_second:.0f} executed "
        f"transfers/s (8 client threads), execute latency p50 {ms(latencies)} ms, "
        f"p95 {ms(latencies, 95)} ms; best end-to-end / bank-only = {best / per_second:.3f}"
    )


def report(results: list[Result]) -> None:
    cores = os.cpu_count() or 1
    sections = [
        ("end to end", THROUGHPUT, [throughput(r) for r in results]),
        ("where the time goes, medians in ms", STAGES_HEADER, [stages(r) for r in results]),
        (
            "CPU per payment, ms (the run's processes; Redis and the kernel's network left out)",
            ["workers", *CPU, "total", f"payments/s {cores} cores could carry", "other / steal"],
            [cpu_row(r) for r in results if r.crowd],  # alone: mostly idle time
        ),
    ]
    for title, header, rows in sections:
        say(f"\n{title}:")
        for line in table(header, rows):
            say(line)


if __name__ == "__main__":
    main()
