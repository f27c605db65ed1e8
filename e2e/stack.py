"""Both services as real servers for end-to-end tests.

PostgreSQL databases of their own, Redis as the Celery broker, gunicorn for the web
processes, real Celery workers and beat, and an SMTP catcher in the test process. Each
process logs to ``test-artifacts/e2e-logs/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import redis

from paylib.smtp_catcher import SmtpCatcher, free_port

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"
LOGS = REPO / "test-artifacts" / f"{os.environ.get('E2E_NAME', 'e2e')}-logs"
PG = os.environ.get("E2E_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379")
# Two stacks may run side by side (tests and a benchmark): give each its own names.
NAME = os.environ.get("E2E_NAME", "e2e")
BANK_REDIS_DB, MARKET_REDIS_DB = (
    int(n) for n in os.environ.get("E2E_REDIS_DBS", "14,15").split(",")
)


def recreate_database(name: str) -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def wait_until_up(url: str, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout}s")


@dataclass
class Service:
    """One Django project: its environment, and the processes started for it."""

    name: str
    cwd: Path
    env: dict[str, str]
    port: int
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, input_text: str | None = None) -> str:
        result = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            input=input_text,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{self.name} manage.py {args}: {result.stderr}")
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def start(self, role: str, command: list[str]) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = (self.logs / f"{self.name}-{role}.log").open("ab")
        self.processes[role] = subprocess.Popen(
            command,
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_web(self) -> None:
        self.start(
            "web",
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "3",
                "--threads",
                "4",
                "--timeout",
                "60",
                # Longer than any pause between a test's requests on one connection:
                # otherwise the server may close a connection the client is reusing.
                "--keep-alive",
                "30",
            ],
        )
        wait_until_up(self.url + "/api/schema/" if self.name == "bank" else self.url + "/")

    def start_worker(self) -> None:
        self.start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "4",
                "--hostname",
                f"{self.name}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
        )

    def start_beat(self) -> None:
        """Celery beat as a process of its own, as in production: never inside a worker."""
        self.start(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(self.logs / f"{self.name}-beat-schedule"),
            ],
        )

    def stop(self, *roles: str, sig: int = signal.SIGTERM) -> None:
        """Signal each of ``roles`` at once, then wait for them all (20 s, then SIGKILL)."""
        stopping = [p for p in (self.processes.pop(role, None) for role in roles) if p]
        for process in stopping:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
        for process in stopping:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    @contextlib.contextmanager
    def environment(self, roles: Sequence[str], **extra: str) -> Iterator[None]:
        """Restart ``roles`` (of web, worker, beat) with ``extra`` added to the environment;
        on leaving, restart them again with the environment as it was."""
        original = self.env
        self.restart(roles, {**original, **extra})
        try:
            yield
        finally:
            self.restart(roles, original)

    def restart(self, roles: Sequence[str], env: dict[str, str]) -> None:
        """Stop ``roles``, then start them again with ``env``: the web server last, as it
        is the one start that waits (until it answers)."""
        self.stop(*roles)
        self.env = env
        starts = {"worker": self.start_worker, "beat": self.start_beat, "web": self.start_web}
        for role, start in starts.items():
            if role in roles:
                start()

    def stop_all(self) -> None:
        self.stop(*self.processes)


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    env.update(
        PYTHONPATH=str(REPO),
        PYTHONUNBUFFERED="1",
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        AXES_ENABLED="false",
        SECRET_KEY="e2e-" + "k" * 60,
        # The outbox on a test's time scale: a worker killed mid-delivery gives its message
        # up after 20 s (longer than a delivery's SMTP timeout), the sweep runs every 2 s.
        OUTBOX_LEASE="20",
        OUTBOX_SWEEP_INTERVAL="2",
        OUTBOX_RETRY_BASE="1",
        EMAIL_TIMEOUT="5",
    )
    env.update(extra)
    return env


@dataclass
class Stack:
    smtp: SmtpCatcher
    bank: Service
    market: Service
    bank_demo: dict[str, object]

    def stop(self) -> None:
        self.market.stop_all()
        self.bank.stop_all()


def start_stack(
    smtp: SmtpCatcher,
    *,
    name: str = NAME,
    redis_url: str = REDIS,
    redis_dbs: tuple[int, int] = (BANK_REDIS_DB, MARKET_REDIS_DB),
) -> Stack:
    """Both services, each with its web server, worker and beat; ``name`` names the databases
    (``<name>_bank``, ``<name>_market``) and the logs."""
    for db in redis_dbs:
        client = redis.Redis.from_url(f"{redis_url}/{db}")
        client.flushdb()
        client.close()
    logs = LOGS if name == NAME else LOGS.parent / f"{name}-logs"
    mail = {"EMAIL_HOST": smtp.host, "EMAIL_PORT": str(smtp.port)}
    bank = Service(
        "bank",
        REPO / "bank",
        base_env(
            DATABASE_URL=recreate_database(f"{name}_bank"),
            CELERY_BROKER_URL=f"{redis_url}/{redis_dbs[0]}",
            CONFIRMATION_CODE_RESEND_INTERVAL="1",
            **mail,
        ),
        free_port(),
        logs,
    )
    bank.manage("migrate", "--no-input", "-v0")
    logs.mkdir(parents=True, exist_ok=True)
    demo_file = logs / "demo-bank.json"
    bank.manage("demo_data", "--output", str(demo_file))
    demo = json.loads(demo_file.read_text())
    market = Service(
        "market",
        REPO / "marketplace",
        base_env(
            DATABASE_URL=recreate_database(f"{name}_market"),
            CELERY_BROKER_URL=f"{redis_url}/{redis_dbs[1]}",
            BANK_API_URL=bank.url,
            BANK_API_CLIENT_ID=str(demo["BANK_API_CLIENT_ID"]),
            BANK_API_SECRET=str(demo["BANK_API_SECRET"]),
            PLATFORM_ACCOUNT=str(demo["PLATFORM_ACCOUNT"]),
            PAYMENT_RETRY_BASE_DELAY="1",
            PAYMENT_STUCK_AFTER="5",
            PAYMENT_CHECK_INTERVAL="2",
            **mail,
        ),
        free_port(),
        logs,
    )
    market.manage("migrate", "--no-input", "-v0")
    market.manage("demo_data", "--bank-file", str(demo_file))
    stack = Stack(smtp=smtp, bank=bank, market=market, bank_demo=demo)
    try:
        for service in (bank, market):
            service.start_web()
            service.start_worker()
            service.start_beat()
    except BaseException:
        stack.stop()
        raise
    return stack
