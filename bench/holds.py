"""Holds placed and captured per second through the bank's API, beside pgbench's TPC-B.

Both run on the same PostgreSQL server in one run. A unit is one hold's whole life at the
bank after the customer's code: the place call (signature and nonce, idempotency record,
the request's row lock, the payer's lock, the hold and its legs) and then the capture call
(the hold's lock, the payer's and payees' locks in key order, one posting from the payer
to the seller and the platform, the rest released); every third hold is captured in part.
Each unit is two requests, so the API rate counts units, not requests. The "hot" and
"spread" variants are those of ``bank_transfers.py``; each ends with ``manage.py reconcile``.

Usage: .venv/bin/python bench/holds.py [--holds N] [--clients C] [--workers W]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (
    REPO,
    LockWaits,
    machine,
    percentile,
    pgbench_tps,
    python_env,
    recreate_database,
    say,
    server,
    signed_post,
)
from bench.bank_transfers import VARIANTS, prepare, reconcile


def fire(url: str, setup: dict, clients: int) -> tuple[float, list[float]]:  # type: ignore[type-arg]
    local = threading.local()
    latencies: list[float] = []

    def hold_life(call: dict) -> None:  # type: ignore[type-arg]
        if not hasattr(local, "http"):
            local.http = httpx.Client(base_url=url, timeout=60)
        started = time.perf_counter()
        placed = signed_post(local.http, setup, call["path"], call["body"])
        if placed.status_code != 201:
            raise RuntimeError(f"place: {placed.status_code} {placed.text}")
        hold = placed.json()["id"]
        body: dict[str, str] = {"idempotency_key": f"bench-{call['n']:08d}:capture"}
        if call["capture"]:
            body["amount"] = call["capture"]
        captured = signed_post(local.http, setup, f"/api/v1/holds/{hold}/capture/", body)
        if captured.status_code != 200 or captured.json()["status"] != "captured":
            raise RuntimeError(f"capture: {captured.status_code} {captured.text}")
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(hold_life, setup["calls"]))
    return time.perf_counter() - started, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holds", type=int, default=1500)
    parser.add_argument("--payers", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    args = parser.parse_args()

    say(f"machine: {machine()}")
    rates = {}
    for variant, meaning in VARIANTS.items():
        database_url = recreate_database(f"bench_holds_{variant}")
        say(f"{variant}: preparing {args.holds} confirmed hold requests, {meaning} ...")
        setup = prepare(
            database_url, args.holds, args.payers, variant=variant, script="_holds_setup.py"
        )
        env = python_env(
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DEBUG="false",
            AXES_ENABLED="false",
        )
        with (
            server(
                cwd=REPO / "bank",
                env=env,
                port=8092,
                workers=args.workers,
                ready_path="/api/schema/",
            ) as url,
            LockWaits(f"bench_holds_{variant}") as waits,
        ):
            elapsed, latencies = fire(url, setup, args.clients)
        rates[variant] = len(setup["calls"]) / elapsed
        say(
            f"{variant}: {len(setup['calls'])} holds placed and captured in {elapsed:.1f}s = "
            f"{rates[variant]:.0f}/s ({2 * rates[variant]:.0f} requests/s; {args.workers} "
            f"gunicorn workers, {args.clients} client threads); place+capture latency median "
            f"{percentile(latencies, 50) * 1000:.1f} ms, "
            f"p95 {percentile(latencies, 95) * 1000:.1f} ms; {waits.summary()}"
        )
        reconcile(database_url)
    tps = pgbench_tps(clients=args.clients, seconds=args.pgbench_seconds)
    say(f"pgbench TPC-B: {tps:.0f} tps ({args.clients} clients, -M prepared, scale 10)")
    say(f"hot / spread = {rates['hot'] / rates['spread']:.2f}")
    say(f"ratio: spread holds / TPC-B transactions = {rates['spread'] / tps:.3f}")
    hot = rates["hot"] / tps
    say(f"ratio: holds placed and captured (hot payee) / TPC-B transactions = {hot:.3f}")


if __name__ == "__main__":
    main()
