"""Shared pieces of the benchmarks: fresh databases, servers as subprocesses, timing."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def recreate_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url(name)


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        text = Path("/proc/cpuinfo").read_text()
        match = re.search(r"model name\s*:\s*(.+)", text)
        cpu = match.group(1).strip() if match else cpu
    with psycopg.connect(PG_ADMIN_URL) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    pg = row[0] if row else "?"
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, PostgreSQL {pg}"


@contextlib.contextmanager
def server(
    *, cwd: Path, env: dict[str, str], port: int, workers: int, ready_path: str = "/"
) -> Iterator[str]:
    """A gunicorn server of one project, stopped on exit."""
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=cwd, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(url + ready_path, timeout=1)
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"server on {url} did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextlib.contextmanager
def servers(
    *, cwd: Path, env: dict[str, str], port: int, count: int, workers: int, ready_path: str = "/"
) -> Iterator[list[str]]:
    """``count`` gunicorn servers of one project on one database (ports ``port``, ``port+1``...):
    the scale-out path, each server a machine of its own in production."""
    with contextlib.ExitStack() as stack:
        yield [
            stack.enter_context(
                server(cwd=cwd, env=env, port=port + i, workers=workers, ready_path=ready_path)
            )
            for i in range(count)
        ]


class LockWaits:
    """Samples ``pg_stat_activity`` of one database every 20 ms while it runs: how many of
    its backends wait on a lock (a row another transaction holds), on average, and in what
    share of the samples any does. Where an account serialises the work, this is where it
    shows."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LockWaits:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            while not self._stop.wait(0.02):
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = %s AND wait_event_type = 'Lock'",
                    [self.database],
                ).fetchone()
                self.samples.append(int(row[0]) if row else 0)

    def summary(self) -> str:
        if not self.samples:
            return "lock waits: no samples"
        mean = sum(self.samples) / len(self.samples)
        share = sum(1 for n in self.samples if n) / len(self.samples)
        return (
            f"lock waits: {mean:.2f} backends waiting on average, some waiting in "
            f"{100 * share:.0f} % of {len(self.samples)} samples"
        )


def pgbench_tps(*, clients: int, seconds: int, scale: int = 10) -> float:
    """TPC-B (pgbench's built-in script) on the same PostgreSQL server."""
    url = recreate_database("bench_pgbench")
    subprocess.run(["pgbench", "-i", "-q", "-s", str(scale), url], check=True, capture_output=True)
    result = subprocess.run(
        [
            "pgbench",
            "-c",
            str(clients),
            "-j",
            str(min(clients, os.cpu_count() or 1)),
            "-T",
            str(seconds),
            "-M",
            "prepared",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    match = re.search(r"tps = ([\d.]+)", result.stdout)
    if match is None:
        raise RuntimeError(result.stdout + result.stderr)
    return float(match.group(1))


def python_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def say(text: str) -> None:
    print(text, flush=True)
    sys.stdout.flush()


def signed_post(http: httpx.Client, credentials: dict, path: str, body: dict) -> httpx.Response:  # type: ignore[type-arg]
    """POST ``body`` to the bank's API, signed as the platform signs (a fresh nonce)."""
    from paylib import signing

    content = json.dumps(body).encode()
    headers = signing.signed_headers(
        client_id=credentials["client_id"],
        secret=credentials["secret"],
        method="POST",
        path=path,
        body=content,
    )
    headers["Content-Type"] = "application/json"
    return http.post(path, content=content, headers=headers)
