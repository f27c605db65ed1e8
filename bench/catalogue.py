"""The marketplace catalogue with a million offers, beside a bare Django view.

One gunicorn server of the marketplace on PostgreSQL serves both the catalogue pages and
``/bench/bare/``, a view that returns "ok" through the same middleware (the server runs
with ``bench.catalogue_settings``; the marketplace's code is unchanged). wrk fires the same
connections at each page in turn, for a few rounds: the first page, a page from the middle
of the table (a keyset cursor half a million offers deep), full-text searches for a common
English word, a Russian word and a rare word, and a category with a price range. Before
that, every catalogue query the view runs is captured and EXPLAIN ANALYZEd: which indexes,
how long, and that nothing counts the matches. The pages are measured twice: each rendered
for its request, then as visitors who are not signed in get them (core/page_cache.py).

Usage: .venv/bin/python bench/catalogue.py [--offers N] [--connections C] [--workers W]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "marketplace"))

from bench import _catalogue_data
from bench._harness import (
    PG_ADMIN_URL,
    PYTHON,
    REPO,
    machine,
    python_env,
    recreate_database,
    say,
    server,
)
from core.keyset import encode_cursor

DATABASE = "bench_market"
MARKETPLACE = REPO / "marketplace"
BARE = "/bench/bare/"
# offers.selectors.SORTS["newest"], the catalogue's default order, as the cursor's tag.
NEWEST_TAG = "-created_at,-id"
LUA = Path(__file__).resolve().parent / "_wrk_summary.lua"

DEEP_ROW_SQL = """
SELECT created_at, id FROM offers_offer
WHERE status = 'active' AND quantity_available > 0
ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1
"""


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float


def django_env(database_url: str, settings: str, **extra: str) -> dict[str, str]:
    return python_env(
        **extra,
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE=settings,
        DEBUG="false",
        PYTHONPATH=f"{REPO}:{MARKETPLACE}",
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore::UserWarning",  # whitenoise: no collected static files
    )


def prepare(database_url: str, offers: int, sellers: int) -> None:
    env = django_env(database_url, "config.settings.local")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=MARKETPLACE, env=env, check=True)
    _catalogue_data.load(database_url, offers=offers, sellers=sellers, say=say)


def deep_cursor(database_url: str, position: int) -> str:
    """The cursor the catalogue's "Next page" link carries after ``position`` offers."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(DEEP_ROW_SQL, [position - 1]).fetchone()
    if row is None:
        raise RuntimeError(f"fewer than {position} offers in the catalogue")
    return str(encode_cursor(NEWEST_TAG, list(row)))


def targets(database_url: str, deep: int) -> dict[str, str]:
    filtered = {"category": "electronics", "price_min": "1000", "price_max": "2000"}
    return {
        "bare view": BARE,
        "first page": "/",
        f"page after {deep:,} offers": "/?after=" + deep_cursor(database_url, deep),
        "search, common word (laptop)": "/?q=laptop",
        "search, Russian word (велосипеды)": "/?q=" + quote("велосипеды"),
        f"search, rare word ({_catalogue_data.RARE_WORD})": "/?q=" + _catalogue_data.RARE_WORD,
        "category + price 1000-2000 ₽": "/?" + urlencode(filtered),
    }


def explain(database_url: str, pages: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [PYTHON, str(REPO / "bench" / "_catalogue_explain.py"), json.dumps(pages)],
        cwd=MARKETPLACE,
        env=django_env(database_url, "bench.catalogue_settings", SHARED_PAGE_SECONDS="0"),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def print_plans(reports: dict[str, Any]) -> None:
    for name, report in reports.items():
        counts = "none" if not report["counts"] else f"{len(report['counts'])} (!)"
        say(f"\n[{name}] HTTP {report['status']}, {report['queries']} queries, COUNT: {counts}")
        for query in report["offers"]:
            seq = ", SEQ SCAN ON OFFERS (!)" if query["seq_scan_on_offers"] else ""
            say(
                f"  offers query: execution {query['execution_ms']:.2f} ms, planning "
                f"{query['planning_ms']:.2f} ms, indexes {', '.join(query['indexes'])}{seq}"
            )
            for line in query["plan"]:
                say(f"    {line}")


def check_pages(base_url: str, pages: dict[str, str]) -> None:
    """Every page answers 200 with offers on it; the deep cursor is taken, not ignored."""
    for name, path in pages.items():
        response = httpx.get(base_url + path, timeout=30)
        response.raise_for_status()
        if path != BARE and "<article" not in response.text:
            raise RuntimeError(f"{name}: no offers on {path}")
        if "after=" in path and "First page" not in response.text:
            raise RuntimeError(f"{name}: the cursor was ignored")


def wrk(url: str, *, connections: int, seconds: int) -> dict[str, Any]:
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", "30s", "-s", str(LUA), url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    summary = json.loads(output.strip().splitlines()[-1])
    if summary["non_2xx"] or summary["socket_errors"]:
        raise RuntimeError(f"{url}: {summary}")
    return summary  # type: ignore[no-any-return]


def measure(base_url: str, name: str, path: str, args: argparse.Namespace) -> Result:
    summary = wrk(base_url + path, connections=args.connections, seconds=args.seconds)
    return Result(
        name=name,
        requests=summary["requests"],
        rps=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p95_ms=summary["p95_us"] / 1000,
    )


def measure_all(base_url: str, pages: dict[str, str], args: argparse.Namespace) -> list[Result]:
    """Rounds over all pages in turn; per page the round with the most requests/s, so that
    a burst of other work on the machine costs a round, not the result."""
    for path in pages.values():
        wrk(base_url + path, connections=args.connections, seconds=2)  # warm-up
    best: dict[str, Result] = {}
    for _ in range(args.rounds):
        for name, path in pages.items():
            result = measure(base_url, name, path, args)
            if name not in best or result.rps > best[name].rps:
                best[name] = result
    return [best[name] for name in pages]


def print_table(title: str, results: list[Result]) -> None:
    bare = results[0]
    first = next(r for r in results if r.name == "first page")
    say(f"\n{title}\n")
    say("| page | requests/s | latency p50 / p95 | vs bare | vs first page |")
    say("|---|---|---|---|---|")
    for r in results:
        say(
            f"| {r.name} | {r.rps:.0f} | {r.p50_ms:.1f} / {r.p95_ms:.1f} ms | "
            f"{r.rps / bare.rps:.3f} | {r.rps / first.rps:.2f} |"
        )


def print_goals(results: list[Result]) -> None:
    by_name = {r.name: r for r in results}
    bare, first = by_name["bare view"], by_name["first page"]
    common = next(r for r in results if r.name.startswith("search, common word"))
    say(f"\nfirst page / bare view: {first.rps:.0f} / {bare.rps:.0f} = {first.rps / bare.rps:.3f}")
    say(
        f"common search / first page: {common.rps:.0f} / {first.rps:.0f} = "
        f"{common.rps / first.rps:.3f}"
    )


def database_facts(database_url: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT current_setting('shared_buffers'), "
            "pg_size_pretty(pg_total_relation_size('offers_offer')), "
            "(SELECT count(*) FROM offers_offer WHERE status = 'active' "
            " AND quantity_available > 0)"
        ).fetchone()
    assert row is not None
    return f"shared_buffers {row[0]}, offers table with indexes {row[1]}, {row[2]:,} listed"


def drop_database() -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def serve_and_measure(
    database_url: str, pages: dict[str, str], args: argparse.Namespace, *, shared_seconds: int
) -> list[Result]:
    env = django_env(
        database_url, "bench.catalogue_settings", SHARED_PAGE_SECONDS=str(shared_seconds)
    )
    with server(
        cwd=MARKETPLACE, env=env, port=args.port, workers=args.workers, ready_path=BARE
    ) as base_url:
        check_pages(base_url, pages)
        return measure_all(base_url, pages, args)


def run(args: argparse.Namespace) -> None:
    database_url = recreate_database(DATABASE)
    say(f"loading {args.offers:,} offers from {args.sellers} sellers ...")
    prepare(database_url, args.offers, args.sellers)
    say(database_facts(database_url))
    pages = targets(database_url, args.deep)
    print_plans(explain(database_url, {k: v for k, v in pages.items() if v != BARE}))
    load_before = os.getloadavg()[0]
    # Every request rendered (a signed-in user's page, or the first visitor's), then the
    # pages as visitors who are not signed in get them, shared for a few seconds
    # (core/page_cache.py); wrk sends no cookies, so it is such a visitor.
    rendered = serve_and_measure(database_url, pages, args, shared_seconds=0)
    shared = serve_and_measure(database_url, pages, args, shared_seconds=args.shared_seconds)
    say(
        f"\n{datetime.now(UTC).date()}: wrk, {args.connections} connections, best of "
        f"{args.rounds} rounds of {args.seconds} s per page after a 2 s warm-up; gunicorn with "
        f"{args.workers} sync workers; DEBUG off; load average before/after "
        f"{load_before:.1f}/{os.getloadavg()[0]:.1f}"
    )
    print_table("Each page rendered for its request (SHARED_PAGE_SECONDS=0):", rendered)
    print_goals(rendered)
    print_table(
        f"Pages shared {args.shared_seconds} s by visitors not signed in (the default):", shared
    )
    print_goals(shared)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1_000_000)
    parser.add_argument("--sellers", type=int, default=500)
    parser.add_argument("--deep", type=int, default=500_000, help="offers before the deep page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8092)
    parser.add_argument(
        "--shared-seconds", type=int, default=5, help="SHARED_PAGE_SECONDS of the second run"
    )
    parser.add_argument("--keep-database", action="store_true", help=f"keep {DATABASE}")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("catalogue.py needs wrk: apt-get install -y wrk")
    say(f"machine: {machine()}")
    try:
        run(args)
    finally:
        if not args.keep_database:
            drop_database()


if __name__ == "__main__":
    main()
