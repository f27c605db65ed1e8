"""A real bank for the integration tests: its own database, a mail inbox and a server process.

Nothing here imports the bank: it is driven through ``manage.py`` in subprocesses, exactly
as an operator would, and reached over HTTP like in production.
"""

from __future__ import annotations

import email
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import psycopg
from aiosmtpd.controller import Controller
from psycopg import sql

BANK_DIR = Path(__file__).resolve().parents[3] / "bank"
PG_URL = os.environ.get("BANK_CLIENT_IT_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BANK_CLIENT_IT_DB", "bank_client_it")
COMMAND_TIMEOUT = 180
START_TIMEOUT = 60
_CODE = re.compile(r":\s*(\d{6})\s*$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """An SMTP server on a free port that keeps every message it receives."""

    def __init__(self) -> None:
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self._messages if address in str(m["To"])]

    def count(self, address: str) -> int:
        return len(self.to(address))

    def code(self, address: str, *, after: int, timeout: float = 15.0) -> str:
        """The code in the newest message to ``address`` beyond the first ``after`` ones."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.to(address)
            if len(messages) > after:
                body = messages[-1].get_body(preferencelist=("plain",))
                assert body is not None, "the code email has no text part"
                found = _CODE.search(body.get_content())
                assert found, f"no code in the email:\n{body}"
                return found.group(1)
            time.sleep(0.05)
        raise AssertionError(f"no new email to {address} within {timeout} s")


def recreate_database() -> None:
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        name = sql.Identifier(DB_NAME)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def drop_database() -> None:
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME))
        )


def ledger_balance(number: str) -> int:
    """An account's balance read straight from the bank's ledger, in kopecks."""
    with psycopg.connect(f"{PG_URL}/{DB_NAME}") as conn:
        row = conn.execute("SELECT balance FROM ledger_account WHERE number = %s", [number])
        found = row.fetchone()
        assert found is not None, f"no account {number}"
        return int(found[0])


def ledger_money(number: str) -> tuple[int, int]:
    """An account's balance and what of it is held, read straight from the bank, in kopecks."""
    with psycopg.connect(f"{PG_URL}/{DB_NAME}") as conn:
        row = conn.execute("SELECT balance, held FROM ledger_account WHERE number = %s", [number])
        found = row.fetchone()
        assert found is not None, f"no account {number}"
        return int(found[0]), int(found[1])


def bank_env(*, smtp_port: int, var_dir: Path) -> dict[str, str]:
    """The bank's environment: only what it needs, nothing inherited from the marketplace."""
    inherited = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "TMPDIR", "TZ"}}
    return {
        **inherited,
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"{PG_URL}/{DB_NAME}",
        "SECRET_KEY": "bank-client-integration-test-key",
        "DEBUG": "false",
        "VAR_DIR": str(var_dir),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "CELERY_BROKER_URL": "memory://",
        "CONFIRMATION_CODE_RESEND_INTERVAL": "2",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> str:
    """Run a bank management command and return its output; fail with it on an error."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BANK_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def create_api_client(env: dict[str, str]) -> tuple[str, str]:
    lines = manage(env, "create_api_client", "marketplace", "--env").splitlines()
    values = dict(line.split("=", 1) for line in lines if "=" in line)
    return values["BANK_API_CLIENT_ID"], values["BANK_API_SECRET"]


_SEED = """
import json
from customers.models import Customer
from ledger.services import account_open, deposit_create
people = json.loads({people!r})
out = {{}}
for name, kopecks in people.items():
    customer = Customer.objects.create_user(
        f"{{name}}@customers.test", "integration-Test-1", full_name=name.title()
    )
    account = account_open(customer=customer, name="Current")
    if kopecks:
        deposit_create(account=account, amount=kopecks, created_by=None)
    out[name] = {{"email": customer.email, "account": account.number}}
print("SEED=" + json.dumps(out))
"""


@dataclass(frozen=True)
class Customer:
    email: str
    account: str


def seed_customers(env: dict[str, str], people: dict[str, int]) -> dict[str, Customer]:
    """Create a customer with one account per name, holding the given kopecks."""
    output = manage(env, "shell", "-c", _SEED.format(people=json.dumps(people)))
    line = next(line for line in output.splitlines() if line.startswith("SEED="))
    return {name: Customer(**data) for name, data in json.loads(line[5:]).items()}


@dataclass
class BankServer:
    """``manage.py runserver`` on a free port; ``stop()`` is safe to call twice."""

    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
                cwd=BANK_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"The bank exited {self.process.returncode}:\n{self.log()}")
            try:
                httpx.get(f"{self.url}/api/v1/links/", timeout=1.0)
            except httpx.TransportError:
                time.sleep(0.2)
                continue
            return
        self.stop()
        raise RuntimeError(f"The bank did not answer within {START_TIMEOUT} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]
