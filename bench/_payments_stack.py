"""The pieces of ``payments_e2e.py`` that talk to the e2e stack: setup, readings, checks.

Import after ``payments_e2e.py`` has set ``E2E_NAME`` and ``E2E_REDIS_DBS``: e2e/stack.py
reads them at import.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paylib.smtp_catcher import SmtpCatcher, extract_code, text_body
from stack import BIN, LOGS, NAME, Stack

DEPOSIT = 1_000_00
PRICE = 100_00
READY = re.compile(r"\bready\.")
SUCCEEDED = re.compile(r"Task (\S+)\[[0-9a-f-]+\] succeeded in ([\d.]+)s")


@dataclass(frozen=True)
class Buyer:
    email: str
    account_number: str
    account_id: int  # the settlement account's id on the marketplace
    deal_id: int
    session_key: str


@dataclass(frozen=True)
class Settled:
    """A payment as the marketplace's database has it; times are Unix seconds."""

    deal_id: int
    status: str
    amount: int
    seller_net: int
    commission: int
    processing_since: float
    finished_at: float


class Inbox:
    """The codes in the SMTP catcher, each with the time it arrived (10 ms resolution)."""

    def __init__(self, smtp: SmtpCatcher) -> None:
        self.smtp = smtp
        self.codes: dict[str, tuple[str, float]] = {}
        self._seen = 0
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            new = self.smtp.messages[self._seen :]
            if not new:
                continue
            now = time.time()
            self._seen += len(new)
            with self._changed:
                for message in new:
                    try:
                        code = extract_code(text_body(message))
                    except (ValueError, AssertionError):
                        continue  # a notification, not a code
                    self.codes[str(message["To"]).strip()] = (code, now)
                self._changed.notify_all()

    def take(self, email: str, timeout: float = 60) -> tuple[str, float]:
        """The code emailed to ``email`` and its arrival time; forgets it."""
        with self._changed:
            if not self._changed.wait_for(lambda: email in self.codes, timeout):
                raise TimeoutError(f"no code for {email} in {timeout}s")
            return self.codes.pop(email)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def _last_json(output: str) -> Any:
    return json.loads(output.strip().splitlines()[-1])


def make_offer(stack: Stack) -> int:
    return int(
        stack.market.shell(f"""
from offers.models import Category
from offers.services import offer_create
from users.models import User
o = offer_create(seller=User.objects.get(email="seller@demo.test"), title="Bench item",
                 description="for bench/payments_e2e.py", price={PRICE}, quantity=100000,
                 category=Category.objects.get(slug="other"))
print(o.pk)
""")
        .strip()
        .splitlines()[-1]
    )


def _bank_accounts(stack: Stack, emails: list[str]) -> list[str]:
    """Customers with ``DEPOSIT`` each, their accounts linked to the marketplace."""
    numbers: list[str] = _last_json(
        stack.bank.shell(f"""
import json
from api.models import ApiClient
from customers.models import Customer
from ledger.services import account_open, deposit_create
from operations.models import AccountLink
client = ApiClient.objects.get(name="marketplace")
out = []
for email in {emails!r}:
    c = Customer.objects.create_user(email, None, full_name=email.split("@")[0])
    a = account_open(customer=c, name="Current")
    deposit_create(account=a, amount={DEPOSIT}, created_by=None)
    AccountLink.objects.create(client=client, account=a)
    out.append(a.number)
print(json.dumps(out))
""")
    )
    return numbers


def _market_buyers(
    stack: Stack, emails: list[str], numbers: list[str], offer: int
) -> list[list[Any]]:
    """Users signed in (a session each), their linked accounts and one open deal each.

    Sessions are made here rather than by signing in: Argon2 would cost ~0.2 s of CPU per
    buyer in the measured services' processes, and the benchmark is about payments.
    """
    rows: list[list[Any]] = _last_json(
        stack.market.shell(f"""
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from accounts.models import SettlementAccount
from deals.services import deal_create
from offers.models import Offer
from users.models import User
offer = Offer.objects.get(pk={offer})
Store = import_module(settings.SESSION_ENGINE).SessionStore
out = []
for email, number in zip({emails!r}, {numbers!r}):
    u = User.objects.create_user(email, None, name=email.split("@")[0])
    s = SettlementAccount.objects.create(user=u, number=number, status="linked",
        linked_at=timezone.now(), bank_operation_id="bench")
    deal = deal_create(buyer=u, offer=offer, quantity=1)
    session = Store()
    session[SESSION_KEY] = str(u.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = u.get_session_auth_hash()
    session.create()
    out.append([s.pk, deal.pk, session.session_key])
print(json.dumps(out))
""")
    )
    return rows


_batches = itertools.count(1)


def make_buyers(stack: Stack, count: int, *, offer: int, tag: str) -> list[Buyer]:
    """``count`` buyers, each with money at the bank and one unpaid deal for ``offer``."""
    batch = next(_batches)
    emails = [f"{tag}-{batch}-{n}@bench.test" for n in range(count)]
    numbers = _bank_accounts(stack, emails)
    rows = _market_buyers(stack, emails, numbers, offer)
    return [
        Buyer(email, number, int(row[0]), int(row[1]), str(row[2]))
        for email, number, row in zip(emails, numbers, rows, strict=True)
    ]


def bank_snapshot(stack: Stack, numbers: list[str]) -> dict[str, int]:
    """The sum of all balances, the customers below zero, and what ``numbers`` have
    available (balance less held: a safe deal's payment holds the buyer's money)."""
    result: dict[str, int] = _last_json(
        stack.bank.shell(f"""
import json
from django.db.models import F, Sum
from ledger.models import Account
out = {{n: b for n, b in Account.objects.filter(number__in={numbers!r})
        .values_list("number", F("balance") - F("held"))}}
out["_total"] = Account.objects.aggregate(s=Sum("balance"))["s"]
out["_negative"] = Account.objects.filter(kind="customer", balance__lt=0).count()
print(json.dumps(out))
""")
    )
    return result


def settled(stack: Stack, deal_ids: list[int]) -> list[Settled]:
    rows = _last_json(
        stack.market.shell(f"""
import json
from payments.models import Payment
rows = Payment.objects.filter(deal_id__in={deal_ids!r}).values_list(
    "deal_id", "status", "amount", "seller_net", "commission", "processing_since", "finished_at")
print(json.dumps([[d, s, a, n, c, p.timestamp() if p else 0, f.timestamp() if f else 0]
                  for d, s, a, n, c, p, f in rows]))
""")
    )
    return [Settled(*row) for row in rows]


def start_market_worker(stack: Stack, concurrency: int, instance: int = 0) -> str:
    """A marketplace Celery worker with ``concurrency`` processes, without beat; each
    ``instance`` a worker of its own, as on a machine of its own (the scale-out path)."""
    role = f"worker-c{concurrency}-i{instance}"
    log = LOGS / f"market-{role}.log"
    log.unlink(missing_ok=True)
    command = [str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "INFO"]
    command += ["--concurrency", str(concurrency), "--hostname", f"market-{role}@%h"]
    stack.market.start(role, [*command, "--without-mingle", "--without-gossip"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.exists() and READY.search(log.read_text(errors="replace")):
            return role
        time.sleep(0.2)
    raise RuntimeError(f"the marketplace worker did not start; see {log}")


BANK_CALL = re.compile(r"bank (GET|POST) /api/v1/(\S+) -> \d+ in (\d+) ms")
CALL_NAMES = {"balance": "bank balance", "hold-requests": "bank hold request"}


def log_marks() -> dict[Path, int]:
    """Where the logs of the web processes and workers end now."""
    return {log: log.stat().st_size for log in LOGS.glob("*-w*.log")}


def readings(marks: dict[Path, int]) -> dict[str, list[float]]:
    """Seconds, by name, of each Celery task run and each bank call logged after ``marks``.

    Task names (``execute_payment``) come from the workers' "succeeded in" lines; bank
    calls (``bank place``) from the marketplace's bank client log lines.
    """
    found: dict[str, list[float]] = {}
    for log, since in marks.items():
        with log.open("rb") as file:
            file.seek(since)
            text = file.read().decode(errors="replace")
        for name, seconds in SUCCEEDED.findall(text):
            found.setdefault(name.rsplit(".", 1)[-1], []).append(float(seconds))
        for _method, path, millis in BANK_CALL.findall(text):
            last = path.rstrip("/").rsplit("/", 1)[-1]
            name = CALL_NAMES.get(last, f"bank {last}")
            found.setdefault(name, []).append(int(millis) / 1000)
    return found


CpuReading = dict[tuple[str, str], float]


def _proc_stat(pid: str) -> tuple[int, float] | None:
    """The session id and CPU seconds (user + system) of a process, if it still exists."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[3]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _is_our_backend(pid: str) -> bool:
    with contextlib.suppress(OSError):
        return f"{NAME}_" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    return False


def cpu_seconds(stack: Stack) -> CpuReading:
    """CPU seconds so far of each process: ("bank web", pid), ..., ("postgres", pid).

    The services' processes are found by their session (each role is started in its own);
    PostgreSQL's backends by the database name in their title. Redis is shared with other
    users of this machine and is left out, as is the kernel's work for the network.
    """
    sessions = {
        process.pid: f"{service.name} {role.split('-')[0]}"
        for service in (stack.bank, stack.market)
        for role, process in service.processes.items()
    }
    found: CpuReading = {("bench client", "self"): time.process_time(), **_machine()}
    for pid in (p.name for p in Path("/proc").iterdir() if p.name.isdigit()):
        stat = _proc_stat(pid)
        if stat is None:
            continue
        if stat[0] in sessions:
            found[(sessions[stat[0]], pid)] = stat[1]
        elif _is_our_backend(pid):
            found[("postgres", pid)] = stat[1]
    return found


def _machine() -> CpuReading:
    """All cores' busy seconds, and the seconds the hypervisor took away (steal)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    busy = sum(ticks[:3]) + sum(ticks[5:7])  # user nice system, irq softirq
    return {("_busy", "all"): busy / hz, ("_steal", "all"): ticks[7] / hz}


def cpu_used(before: CpuReading, after: CpuReading) -> dict[str, float]:
    """CPU seconds used between two readings, by component."""
    used: dict[str, float] = {}
    for key, seconds in after.items():
        used[key[0]] = used.get(key[0], 0.0) + seconds - before.get(key, 0.0)
    return used
