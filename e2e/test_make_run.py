"""`make run`'s process runner on the embedded defaults (SQLite, a broker in a SQLite file,
the mail catcher): it comes up, a demo buyer pays a deal with the emailed code, and Ctrl-C
stops everything."""

from __future__ import annotations

import contextlib
import html
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from client import Visitor, payment_id_from
from paylib.smtp_catcher import free_port
from stack import BIN, LOGS, REPO


@pytest.fixture
def running(tmp_path: Path) -> Iterator[dict[str, int]]:
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
    log = (LOGS / "make-run.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "python"), "scripts/run.py"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        started = time.monotonic()
        for name in ("market", "bank", "mail"):
            _wait(f"http://127.0.0.1:{ports[name]}/", deadline=started + 60)
        yield ports
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends
        assert process.wait(timeout=30) is not None


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


def test_make_run_serves_a_whole_payment_on_the_embedded_defaults(
    running: dict[str, int],
) -> None:
    buyer = Visitor(f"http://127.0.0.1:{running['market']}")
    buyer.sign_in("buyer@demo.test", "demo-pass-2026")
    catalogue = buyer.get("/").text
    offer = int(re.search(r'href="/offers/(\d+)/"', catalogue)[1])  # type: ignore[index]
    deal = buyer.open_deal(offer)
    choose = buyer.get(f"/payments/deal/{deal}/").text
    account = int(re.search(r'name="account" value="(\d+)"', choose)[1])  # type: ignore[index]
    payment = payment_id_from(buyer.start_payment(deal, account))
    code = _code_from_mail_page(f"http://127.0.0.1:{running['mail']}/")
    assert buyer.confirm(payment, code).status_code == 302
    assert buyer.wait_final(payment, timeout=60)["status"] == "succeeded"
    bank_login = httpx.get(f"http://127.0.0.1:{running['bank']}/login/")
    assert bank_login.status_code == 200
