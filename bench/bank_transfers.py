"""Executed transfers per second through the bank's API, beside pgbench's TPC-B.

Both run on the same PostgreSQL server in one run. A "transfer" is one execute call of a
confirmed payment: a signed HTTPS-less request, signature and nonce check, the operation
row lock, the account locks in key order, one posting with three entries (payer, seller,
platform commission) and the balance updates, all in one transaction. TPC-B is pgbench's
built-in update of three balances plus a history insert.

Usage: .venv/bin/python bench/bank_transfers.py [--payments N] [--clients C] [--workers W]
"""

from __future__ import annotations

import argparse
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
    machine,
    percentile,
    pgbench_tps,
    python_env,
    recreate_database,
    say,
    server,
    signed_post,
)


def prepare(
    database_url: str, payments: int, payers: int, *, script: str = "_bank_setup.py"
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
        [PYTHON, str(REPO / "bench" / script), str(payments), str(payers)],
        cwd=bank,
        env={**env, "PYTHONPATH": f"{REPO}:{bank}"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def fire(url: str, setup: dict, clients: int) -> tuple[float, list[float]]:  # type: ignore[type-arg]
    local = threading.local()
    latencies: list[float] = []

    def execute(call: dict) -> None:  # type: ignore[type-arg]
        if not hasattr(local, "http"):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=3000)
    parser.add_argument("--payers", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    args = parser.parse_args()

    say(f"machine: {machine()}")
    database_url = recreate_database("bench_bank")
    say(f"preparing {args.payments} confirmed payments from {args.payers} payers ...")
    setup = prepare(database_url, args.payments, args.payers)
    env = python_env(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        AXES_ENABLED="false",
    )
    with server(
        cwd=REPO / "bank", env=env, port=8091, workers=args.workers, ready_path="/api/schema/"
    ) as url:
        elapsed, latencies = fire(url, setup, args.clients)
    transfers = len(setup["calls"]) / elapsed
    say(
        f"bank API: {len(setup['calls'])} transfers in {elapsed:.1f}s = {transfers:.0f}/s "
        f"({args.workers} gunicorn workers, {args.clients} client threads); latency "
        f"median {percentile(latencies, 50) * 1000:.1f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:.1f} ms"
    )
    tps = pgbench_tps(clients=args.clients, seconds=args.pgbench_seconds)
    say(f"pgbench TPC-B: {tps:.0f} tps ({args.clients} clients, -M prepared, scale 10)")
    say(f"ratio: bank transfers / TPC-B transactions = {transfers / tps:.3f}")
    subprocess.run(
        [PYTHON, "manage.py", "reconcile"],
        cwd=REPO / "bank",
        env={**env, "DATABASE_URL": database_url},
        check=True,
    )


if __name__ == "__main__":
    main()
