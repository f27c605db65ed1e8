"""Executed transfers per second through the bank's API, beside pgbench's TPC-B.

Both run on the same PostgreSQL server in one run. A "transfer" is one execute call of a
confirmed payment: a signed plain-HTTP request, signature and nonce check, the stored
answer, the operation row lock, the account locks in key order, one posting and the balance
updates, all in one transaction. Two variants run, each on a fresh database: "hot", every
transfer to the same seller and the platform's commission (three entries), and "spread",
each of 200 payers to a payee of his own with no commission (two entries). TPC-B is
pgbench's built-in update of three balances plus a history insert. Each variant ends with
``manage.py reconcile``. The last line is the hot variant's rate over TPC-B's.

Usage: .venv/bin/python bench/bank_transfers.py [--payments N] [--clients C] [--workers W]
       [--servers S]
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from bench._harness import (
    PYTHON,
    REPO,
    LockWaits,
    machine,
    percentile,
    pgbench_tps,
    python_env,
    recreate_database,
    say,
    servers,
    signed_post,
)


def prepare(
    database_url: str,
    payments: int,
    payers: int,
    *,
    variant: str,
    script: str = "_bank_setup.py",
) -> dict:  # type: ignore[type-arg]
    env = python_env(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        CELERY_TASK_ALWAYS_EAGER="true",
        AXES_ENABLED="false",
    )
    bank = REPO / "bank"
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=bank, env=env, check=True)
    result = subprocess.run(
        [PYTHON, str(REPO / "bench" / script), str(payments), str(payers), variant],
        cwd=bank,
        env={**env, "PYTHONPATH": f"{REPO}:{bank}"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def fire(urls: list[str], setup: dict, clients: int) -> tuple[float, list[float]]:  # type: ignore[type-arg]
    """Execute every call from ``clients`` threads, each thread on one of the servers."""
    local = threading.local()
    latencies: list[float] = []
    lanes = itertools.count()

    def execute(call: dict) -> None:  # type: ignore[type-arg]
        if not hasattr(local, "http"):
            url = urls[next(lanes) % len(urls)]
            local.http = httpx.Client(base_url=url, timeout=60)
        started = time.perf_counter()
        response = signed_post(local.http, setup, call["path"], call["body"])
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200 or response.json()["status"] != "done":
            raise RuntimeError(response.text)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(execute, setup["calls"]))
    return time.perf_counter() - started, latencies


VARIANTS = {
    "hot": "every transfer to one seller and the platform's commission",
    "spread": "each payer to a payee of his own, no commission",
}


def reconcile(database_url: str) -> None:
    env = python_env(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings.local")
    subprocess.run([PYTHON, "manage.py", "reconcile"], cwd=REPO / "bank", env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=3000)
    parser.add_argument("--payers", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--servers", type=int, default=1, help="bank web servers on one database")
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    args = parser.parse_args()

    say(f"machine: {machine()}")
    rates = {}
    for variant, meaning in VARIANTS.items():
        database_url = recreate_database(f"bench_bank_{variant}")
        say(f"{variant}: preparing {args.payments} confirmed payments, {meaning} ...")
        setup = prepare(database_url, args.payments, args.payers, variant=variant)
        env = python_env(
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DEBUG="false",
            AXES_ENABLED="false",
        )
        with (
            servers(
                cwd=REPO / "bank",
                env=env,
                port=8091,
                count=args.servers,
                workers=args.workers,
                ready_path="/api/schema/",
            ) as urls,
            LockWaits(f"bench_bank_{variant}") as waits,
        ):
            elapsed, latencies = fire(urls, setup, args.clients)
        rates[variant] = len(setup["calls"]) / elapsed
        say(
            f"{variant}: {len(setup['calls'])} transfers in {elapsed:.1f}s = "
            f"{rates[variant]:.0f}/s ({args.servers} server(s) x {args.workers} gunicorn "
            f"workers, {args.clients} client threads); latency median "
            f"{percentile(latencies, 50) * 1000:.1f} ms, "
            f"p95 {percentile(latencies, 95) * 1000:.1f} ms; {waits.summary()}"
        )
        reconcile(database_url)
    tps = pgbench_tps(clients=args.clients, seconds=args.pgbench_seconds)
    say(f"pgbench TPC-B: {tps:.0f} tps ({args.clients} clients, -M prepared, scale 10)")
    say(f"hot / spread = {rates['hot'] / rates['spread']:.2f}")
    say(f"ratio: spread transfers / TPC-B transactions = {rates['spread'] / tps:.3f}")
    say(f"ratio: bank transfers (hot payee) / TPC-B transactions = {rates['hot'] / tps:.3f}")


if __name__ == "__main__":
    main()
