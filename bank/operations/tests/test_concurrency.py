"""Many requests at once against a live server on PostgreSQL: money moves exactly once."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.db.models import Sum

from api.models import ApiClient
from ledger.models import Account, Posting
from operations.models import Operation
from paylib import signing

from .helpers import last_code

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


class LiveApi:
    def __init__(self, base_url: str, client_id: str, secret: str) -> None:
        self.base_url = base_url
        self.client_id = client_id
        self.secret = secret

    def post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        """POST, signed afresh for each try. The test server's listen backlog is small, so
        a burst of connections may be reset before a request is read; every write carries
        an idempotency key, so it is retried, as the platform retries them."""
        body = json.dumps(data).encode()
        for attempt in range(5):
            headers = signing.signed_headers(
                client_id=self.client_id,
                secret=self.secret,
                method="POST",
                path=path,
                body=body,
            )
            headers["Content-Type"] = "application/json"
            try:
                return httpx.post(self.base_url + path, content=body, headers=headers, timeout=60)
            except httpx.TransportError:
                if attempt == 4:
                    raise
                time.sleep(0.1 * (attempt + 1))
        raise AssertionError("unreachable")

    def get(self, path: str) -> httpx.Response:
        headers = signing.signed_headers(
            client_id=self.client_id, secret=self.secret, method="GET", path=path, body=b""
        )
        return httpx.get(self.base_url + path, headers=headers, timeout=60)


@pytest.fixture
def live_api(live_server: Any, platform: tuple[ApiClient, str]) -> LiveApi:
    return LiveApi(live_server.url, platform[0].client_id, platform[1])


def confirmed_payment(
    api: LiveApi, payer: Account, payee: Account, amount: str, n: int
) -> dict[str, Any]:
    """Create and confirm a payment; return the body that executes it."""
    data = {
        "payer_account": payer.number,
        "payees": [{"account": payee.number, "amount": amount}],
        "amount": amount,
    }
    created = api.post(
        "/api/v1/payments/",
        {**data, "description": f"payment {n}", "idempotency_key": f"pay-{n:06d}"},
    )
    assert created.status_code == 201, created.text
    op = created.json()["id"]
    confirmed = api.post(
        f"/api/v1/operations/{op}/confirm/", {"code": last_code(), "idempotency_key": f"c-{n:06d}"}
    )
    assert confirmed.status_code == 200, confirmed.text
    return {
        "path": f"/api/v1/operations/{op}/execute/",
        "body": {**data, "key": confirmed.json()["key"], "idempotency_key": f"x-{n:06d}"},
    }


def run_at_once(api: LiveApi, calls: list[dict[str, Any]]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda c: api.post(c["path"], c["body"]), calls))


def total_money() -> int:
    return Account.objects.aggregate(total=Sum("balance"))["total"]  # type: ignore[no-any-return]


def test_twenty_executions_of_one_key_move_money_once(
    live_api: LiveApi, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    payer, payee = make_account(balance=500_00, link_to=platform[0]), make_account()
    call = confirmed_payment(live_api, payer, payee, "120.00", 1)
    responses = run_at_once(live_api, [call] * 20)
    assert [r.status_code for r in responses] == [200] * 20
    assert {r.json()["status"] for r in responses} == {"done"}
    payer.refresh_from_db()
    payee.refresh_from_db()
    assert (payer.balance, payee.balance) == (380_00, 120_00)
    assert Posting.objects.filter(kind="payment").count() == 1


def test_fifty_payments_at_once_never_overdraw_the_payer(
    live_api: LiveApi, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    payer = make_account(balance=17 * 100_00 + 99, link_to=platform[0])  # covers 17 of 50
    payees = [make_account() for _ in range(5)]
    calls = [confirmed_payment(live_api, payer, payees[n % 5], "100.00", n) for n in range(50)]
    before = total_money()
    responses = run_at_once(live_api, calls)
    assert [r.status_code for r in responses] == [200] * 50
    outcomes = Counter(r.json()["status"] for r in responses)
    assert outcomes == {"done": 17, "failed": 33}
    assert {r.json()["failure_reason"] for r in responses if r.json()["status"] == "failed"} == {
        "insufficient_funds"
    }
    payer.refresh_from_db()
    assert payer.balance == 99
    assert sum(Account.objects.get(pk=p.pk).balance for p in payees) == 17 * 100_00
    assert total_money() == before
    call_command("reconcile")


def test_opposite_payments_at_once_never_deadlock(
    live_api: LiveApi, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    a = make_account(balance=1000_00, link_to=platform[0])
    b = make_account(balance=1000_00, link_to=platform[0])
    calls = []
    for n in range(30):
        payer, payee = (a, b) if n % 2 else (b, a)
        calls.append(confirmed_payment(live_api, payer, payee, f"{n + 1}.00", n))
    before = total_money()
    responses = run_at_once(live_api, calls)
    assert [r.status_code for r in responses] == [200] * 30, [r.text for r in responses]
    assert {r.json()["status"] for r in responses} == {"done"}
    a.refresh_from_db()
    b.refresh_from_db()
    a_to_b = sum(n + 1 for n in range(30) if n % 2) * 100
    b_to_a = sum(n + 1 for n in range(30) if not n % 2) * 100
    assert a.balance == 1000_00 - a_to_b + b_to_a
    assert b.balance == 1000_00 - b_to_a + a_to_b
    assert total_money() == before
    assert Operation.objects.filter(status="done").count() == 30
    call_command("reconcile")


def test_double_submitted_payment_request_creates_one_operation(
    live_api: LiveApi, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    payer, payee = make_account(balance=500_00, link_to=platform[0]), make_account()
    body = {
        "payer_account": payer.number,
        "payees": [{"account": payee.number, "amount": "1.00"}],
        "amount": "1.00",
        "description": "double click",
        "idempotency_key": "double-click-1",
    }
    responses = run_at_once(live_api, [{"path": "/api/v1/payments/", "body": body}] * 10)
    assert [r.status_code for r in responses] == [201] * 10  # the first answer, every time
    assert len({r.json()["id"] for r in responses}) == 1
    assert Operation.objects.count() == 1
