"""The pieces of the fault test: buyers who keep at it like people do, a recorder of every
answer they get, and the faults themselves (processes killed, Redis killed, database
connections ended), each counted."""

from __future__ import annotations

import contextlib
import re
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg

from client import Visitor, payment_id_from
from conftest import PASSWORD, Buyer
from paylib.pg_faults import terminate_backends
from paylib.smtp_catcher import CODE_PATTERN, extract_code, text_body
from redis_server import RedisServer
from stack import Stack


@dataclass
class Answers:
    """Every HTTP answer the buyers got: status counts, and the 5xx ones by path."""

    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    transport_errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, response: httpx.Response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500 and response.status_code != 503:
                path = re.sub(r"/\d+/", "/<id>/", response.request.url.path)
                self.server_errors.append(
                    f"{response.status_code} {response.request.method} {path}"
                )


class Shopper(Visitor):
    """A buyer whose every answer is recorded, and who tries again after a failed request."""

    def __init__(self, base_url: str, buyer: Buyer, answers: Answers) -> None:
        super().__init__(base_url)
        self.http.event_hooks["response"] = [answers.record]
        self.buyer = buyer
        self.answers = answers
        self.codes_typed = 0

    def attempt(
        self, method: str, path: str, data: dict[str, Any] | None = None
    ) -> httpx.Response | None:
        try:
            return self.post(path, data) if method == "POST" else self.get(path)
        except httpx.TransportError as error:
            with self.answers.lock:
                self.answers.transport_errors[type(error).__name__] += 1
            return None


@dataclass
class Journey:
    """One deal of one buyer, from Buy to paid (or not)."""

    buyer: Buyer
    deal: int
    payments: list[int] = field(default_factory=list)  # every payment made, in order
    current: int | None = None
    final_status: str = ""
    resends: int = 0


@dataclass
class Session:
    journeys: list[Journey] = field(default_factory=list)
    error: str = ""


def shop_like_a_person(
    stack: Stack, buyer: Buyer, offer: int, answers: Answers, *, buy_until: float, until: float
) -> Session:
    """Buy and pay one deal after another until ``buy_until``: pay, read the code, type it,
    watch the status, and on any failure wait and go on, as a person would. A payment
    that fails is paid again once, with a new payment."""
    session = Session()
    shopper = Shopper(stack.market.url, buyer, answers)
    try:
        _sign_in(shopper, until=until)
        while time.monotonic() < buy_until:
            journey = Journey(buyer, _buy(shopper, offer, until=until))
            session.journeys.append(journey)
            while time.monotonic() < until and not journey.final_status:
                _step(stack, shopper, journey)
    except Exception as error:  # the report says what went wrong
        session.error = repr(error)[:300]
    finally:
        shopper.close()
    return session


def _sign_in(shopper: Shopper, *, until: float) -> None:
    form = {"username": shopper.buyer.email, "password": PASSWORD}
    while time.monotonic() < until:
        response = shopper.attempt("POST", "/users/login/", form)
        if response is not None and response.status_code == 302:
            return
        time.sleep(1)
    raise TimeoutError("could not sign in")


def _buy(shopper: Shopper, offer: int, *, until: float) -> int:
    """Open the offer's page and press Buy; a repeat after a lost answer carries the same
    form key, so it opens no second deal."""
    key = ""
    while time.monotonic() < until:
        if not key:
            page = shopper.attempt("GET", f"/offers/{offer}/")
            found = re.search(r'name="idempotency_key" value="([^"]+)"', page.text if page else "")
            if found is None:
                time.sleep(1)
                continue
            key = found[1]
        data = {"quantity": 1, "idempotency_key": key}
        response = shopper.attempt("POST", f"/deals/new/{offer}/", data)
        if response is not None and response.status_code == 302:
            found = re.search(r"/deals/(\d+)/", response.headers["location"])
            if found:
                return int(found[1])
        time.sleep(1)
    raise TimeoutError("could not open a deal")


def _step(stack: Stack, shopper: Shopper, journey: Journey) -> None:
    if journey.current is None:
        form = {"account": journey.buyer.account_id}
        response = shopper.attempt("POST", f"/payments/deal/{journey.deal}/", form)
        if response is not None and response.status_code == 302:
            journey.current = payment_id_from(response)
            journey.payments.append(journey.current)
        else:
            time.sleep(1)
        return
    payment = journey.current
    response = shopper.attempt("GET", f"/payments/{payment}/status.json")
    if response is None or response.status_code != 200:
        time.sleep(1)
        return
    status = response.json()
    if status["final"]:
        if status["status"] == "failed" and len(journey.payments) < 2:
            journey.current = None  # the deal is payable again: pay it once more
        else:
            journey.final_status = status["status"]
        return
    if status["status"] == "requesting":  # the bank was not reached: the page offers a code
        time.sleep(3)
        shopper.attempt("POST", f"/payments/{payment}/resend/")
        journey.resends += 1
        return
    if status["status"] != "awaiting_code":
        time.sleep(0.5)
        return
    code = _new_code(stack, shopper)
    if code is None:  # no email came: ask for a new code, as the page offers
        shopper.attempt("POST", f"/payments/{payment}/resend/")
        journey.resends += 1
        return
    shopper.codes_typed += 1
    shopper.attempt("POST", f"/payments/{payment}/code/", {"code": code})


def code_emails(stack: Stack, email: str) -> list[str]:
    """The codes emailed to ``email``, oldest first."""
    bodies = [text_body(m) for m in stack.smtp.to(email)]
    return [extract_code(body) for body in bodies if CODE_PATTERN.search(body)]


def _new_code(stack: Stack, shopper: Shopper, *, wait: float = 10.0) -> str | None:
    """The newest code emailed to the buyer, if one came that has not been typed yet."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        codes = code_emails(stack, shopper.buyer.email)
        if len(codes) > shopper.codes_typed:
            return codes[-1]
        time.sleep(0.3)
    return None


@dataclass
class Injector:
    """Faults one after the other until told to stop; ``counts`` says which, how often."""

    stack: Stack
    broker: RedisServer
    every: float = 4.0
    counts: Counter[str] = field(default_factory=Counter)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        faults = [
            self.kill_redis,
            self.kill_market_worker,
            self.end_db_connections,
            self.kill_bank_web,
        ]
        n = 0
        while not self._stop.wait(self.every):
            fault = faults[n % len(faults)]
            fault()
            self.counts[fault.__name__] += 1
            n += 1

    def stop(self) -> None:
        self._stop.set()

    def kill_redis(self) -> None:
        self.broker.restart(down_for=2.0, sig=signal.SIGKILL)

    def kill_market_worker(self) -> None:
        self.stack.market.stop("worker", sig=signal.SIGKILL)
        time.sleep(2.0)
        self.stack.market.start_worker()

    def kill_bank_web(self) -> None:
        self.stack.bank.stop("web", sig=signal.SIGKILL)
        time.sleep(2.0)
        self.stack.bank.start_web()

    def end_db_connections(self) -> None:
        for service in (self.stack.bank, self.stack.market):
            with contextlib.closing(
                psycopg.connect(service.env["DATABASE_URL"], autocommit=True)
            ) as conn:
                self.counts["db_connections_ended"] += terminate_backends(conn.cursor())
