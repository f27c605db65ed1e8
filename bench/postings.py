"""Two-leg postings per second in-process on one connection, beside pgbench's TPC-B with one
client.

Both run on the same PostgreSQL server in one run. A posting is ``posting_create`` in its own
transaction, as the bank's services call it: the two accounts locked in key order, the
checks, the posting, its two entries with their running balances and the two balance
updates, then the commit (the deferred triggers of the ledger run there). The CPU time of
this process per posting is printed too: it is the Python part of the cost.

Usage: .venv/bin/python bench/postings.py [--postings N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import PYTHON, REPO, machine, pgbench_tps, python_env, recreate_database, say


def run_inside_bank(postings: int) -> None:
    """The measured loop (run in a child process with the bank's settings)."""
    import django

    django.setup()
    from django.db import transaction

    from customers.models import Customer
    from ledger.services import Leg, account_open, deposit_create, posting_create

    pairs = []
    for i in range(20):
        payer = account_open(customer=Customer.objects.create_user(f"p{i}@bench.test"))
        payee = account_open(customer=Customer.objects.create_user(f"q{i}@bench.test"))
        deposit_create(account=payer, amount=10_000_000_00, created_by=None)
        pairs.append((payer.pk, payee.pk))
    for n in range(200):  # warm-up: imports, prepared plans, caches
        payer, payee = pairs[n % len(pairs)]
        with transaction.atomic():
            posting_create(kind="payment", description="warm", legs=[Leg(payer, -1), Leg(payee, 1)])
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(postings):
        payer, payee = pairs[n % len(pairs)]
        with transaction.atomic():
            posting_create(
                kind="payment", description=f"bench {n}", legs=[Leg(payer, -100), Leg(payee, 100)]
            )
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{postings / wall:.1f} {1000 * cpu / postings:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=5000)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        run_inside_bank(args.postings)
        return

    say(f"machine: {machine()}")
    database_url = recreate_database("bench_postings")
    bank = REPO / "bank"
    env = python_env(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        PYTHONPATH=f"{REPO}:{bank}",
    )
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=bank, env=env, check=True)
    result = subprocess.run(
        [PYTHON, os.path.abspath(__file__), "--inside", "--postings", str(args.postings)],
        cwd=bank,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    rate, cpu_ms = (float(x) for x in result.stdout.split()[-2:])
    say(
        f"postings: {args.postings} in-process on one connection = {rate:.0f}/s, "
        f"{cpu_ms:.2f} ms of this process's CPU each"
    )
    subprocess.run([PYTHON, "manage.py", "reconcile"], cwd=bank, env=env, check=True)
    tps = pgbench_tps(clients=1, seconds=args.pgbench_seconds)
    say(f"pgbench TPC-B: {tps:.0f} tps (1 client, -M prepared, scale 10)")
    say(f"ratio: postings / TPC-B transactions = {rate / tps:.3f}")


if __name__ == "__main__":
    main()
