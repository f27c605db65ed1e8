"""`make run`'s process runner on the embedded defaults (SQLite, a broker in a SQLite file,
the mail catcher): it comes up, a demo buyer pays a deal with the emailed code, Ctrl-C
stops everything, a worker stops on SIGTERM, and a runner killed with SIGKILL leaves no
process behind."""

from __future__ import annotations

import contextlib
import html
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from client import Visitor, payment_id_from
from paylib.smtp_catcher import free_port
from stack import BIN, LOGS, REPO


@dataclass
class Runner:
    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    log: Path

    def wait_ready(self, name: str, timeout: float = 60) -> None:
        pattern = re.compile(rf"^\S+ {name}\s+\| .*@\S+ ready\.$", re.MULTILINE)
        deadline = time.monotonic() + timeout
        while not pattern.search(self.log.read_text(errors="replace")):
            assert time.monotonic() < deadline, f"{name} did not get ready"
            time.sleep(0.2)

    def pid_of(self, name: str) -> int:
        found = re.search(rf"{name} started \(pid=(\d+)\)", self.log.read_text(errors="replace"))
        assert found, f"{name} did not start"
        return int(found[1])


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """One runner for the tests in order: the payment, then a worker's SIGTERM (which
    ends the runner: one process that stops stops them all)."""
    yield from _run(tmp_path_factory.mktemp("make-run"))


@pytest.fixture
def another_runner(tmp_path: Path) -> Iterator[Runner]:
    yield from _run(tmp_path)


def _run(tmp_path: Path) -> Iterator[Runner]:
    ports = {name: free_port() for name in ("bank", "market", "smtp", "mail")}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    env.update(
        VAR_DIR=str(tmp_path),
        RUN_BANK_PORT=str(ports["bank"]),
        RUN_MARKET_PORT=str(ports["market"]),
        RUN_SMTP_PORT=str(ports["smtp"]),
        RUN_MAIL_PORT=str(ports["mail"]),
    )
    env.pop("CELERY_BROKER_URL", None)
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / "make-run.log"
    process = subprocess.Popen(
        [str(BIN / "python"), "scripts/run.py"],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    runner = Runner(process, ports, log)
    everyone: set[int] = set()
    try:
        started = time.monotonic()
        for name in ("market", "bank", "mail"):
            _wait(f"http://127.0.0.1:{ports[name]}/", deadline=started + 60)
        everyone = descendants(process.pid)
        yield runner
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends
        assert process.wait(timeout=30) is not None
        for pid in everyone:  # nothing may be left, whatever the test did
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def descendants(pid: int) -> set[int]:
    """Every process under ``pid``, from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie waiting for its parent is not)."""
    running = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                running.add(pid)
    return running


def gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(pids)


def _wait(url: str, *, deadline: float) -> None:
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):  # not listening yet
            if httpx.get(url, timeout=2, follow_redirects=True).status_code == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within a minute")


def _code_from_mail_page(url: str) -> str:
    for _ in range(80):
        match = re.search(r"code: (\d{6})", html.unescape(httpx.get(url).text))
        if match:
            return match.group(1)
        time.sleep(0.25)
    raise TimeoutError("no code arrived at the mail catcher")


def test_make_run_serves_a_whole_payment_on_the_embedded_defaults(running: Runner) -> None:
    ports = running.ports
    buyer = Visitor(f"http://127.0.0.1:{ports['market']}")
    buyer.sign_in("buyer@demo.test", "demo-pass-2026")
    catalogue = buyer.get("/").text
    offer = int(re.search(r'href="/offers/(\d+)/"', catalogue)[1])  # type: ignore[index]
    deal = buyer.open_deal(offer)
    choose = buyer.get(f"/payments/deal/{deal}/").text
    account = int(re.search(r'name="account" value="(\d+)"', choose)[1])  # type: ignore[index]
    payment = payment_id_from(buyer.start_payment(deal, account))
    code = _code_from_mail_page(f"http://127.0.0.1:{ports['mail']}/")
    assert buyer.confirm(payment, code).status_code == 302
    assert buyer.wait_final(payment, timeout=60)["status"] == "succeeded"
    bank_login = httpx.get(f"http://127.0.0.1:{ports['bank']}/login/")
    assert bank_login.status_code == 200


def test_a_worker_on_the_embedded_broker_stops_on_sigterm(running: Runner) -> None:
    running.wait_ready("market-worker")
    worker = running.pid_of("market-worker")
    pool = descendants(worker)
    assert pool, "the worker has no pool processes"
    os.kill(worker, signal.SIGTERM)
    assert gone_within({worker, *pool}, 10) == set()
    assert running.process.wait(timeout=30) is not None  # and the runner stops the rest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_runner_killed_with_sigkill_leaves_no_process_behind(another_runner: Runner) -> None:
    running = another_runner
    running.wait_ready("market-worker")
    children = descendants(running.process.pid)
    names = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in alive(children)}
    assert any(b"worker" in name for name in names.values())
    assert any(b"beat" in name for name in names.values())
    running.process.kill()  # SIGKILL: the runner can do nothing about it
    left = gone_within(children, 20)
    assert left == set(), {pid: names.get(pid) for pid in left}  # which process stayed
