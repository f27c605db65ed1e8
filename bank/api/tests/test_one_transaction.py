"""A write of the API is one transaction, and the accounts are locked at its very end.

What that buys is measured in bench/bank_transfers.py (the hot-payee variant); what is
checked here is the shape: one commit, and after the accounts' lock nothing
but the ledger's own writes, so that a busy account is held for those and the commit alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from api.models import ApiClient, IdempotentRequest, RequestNonce
from conftest import SignedClient
from ledger.models import Account
from ledger.services import Leg, posting_create
from operations.tests.helpers import last_code
from operations.tests.test_concurrency import LiveApi, run_at_once

from .idempotency_helpers import confirm, execute_body, start

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def verbs(queries: list[dict[str, Any]]) -> list[str]:
    return [q["sql"].split()[0].upper() for q in queries]


def test_an_execute_is_one_transaction_with_the_accounts_locked_last(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code(), "deal-1:confirm").json()["key"]
    with CaptureQueriesContext(connection) as captured:
        response = api.post(
            f"/api/v1/operations/{op}/execute/", execute_body(accounts, key, "deal-1:execute")
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    queries = captured.captured_queries
    kinds = Counter(verbs(queries))
    # One commit; one savepoint, the operation's own (a refusal of it leaves nothing).
    assert (kinds["BEGIN"], kinds["COMMIT"], kinds["SAVEPOINT"]) == (1, 1, 1), kinds
    sql = [q["sql"] for q in queries]
    locks = [
        i for i, s in enumerate(sql) if 'FROM "ledger_account"' in s and "FOR NO KEY UPDATE" in s
    ]
    assert len(locks) == 1  # the payer, the seller and the platform, in one statement
    lock = locks[0]
    answer = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "api_idempotentrequest"'))
    assert answer < lock
    assert verbs(queries[lock + 1 :]) == ["INSERT", "UPDATE", "COMMIT"]  # entries, balances
    # The nonce and the stored answer are in that one transaction.
    assert RequestNonce.objects.count() == 3  # the payment, its code and this execute
    assert IdempotentRequest.objects.filter(key="deal-1:execute", status_code=200).exists()


def test_a_refusal_at_the_end_is_answered_as_a_refusal_and_leaves_nothing_half_done(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    """The payer spends the money between the code and the execute: the fast try is rolled
    back whole and the request runs again, and fails the operation with the reason."""
    op = start(api, accounts)
    key = confirm(api, op, last_code(), "deal-1:confirm").json()["key"]
    with transaction.atomic():  # spent elsewhere: 50.00 left of 1,000.00
        posting_create(
            kind="payment",
            description="elsewhere",
            legs=[Leg(accounts["payer"].pk, -950_00), Leg(accounts["seller"].pk, 950_00)],
        )
    body = execute_body(accounts, key, "deal-1:execute")
    response = api.post(f"/api/v1/operations/{op}/execute/", body)
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["failure_reason"]) == (
        "failed",
        "insufficient_funds",
    )
    assert Account.objects.get(pk=accounts["seller"].pk).balance == 950_00
    assert Account.objects.get(pk=accounts["payer"].pk).balance == 50_00
    replay = api.post(f"/api/v1/operations/{op}/execute/", body)
    assert replay.json() == response.json()
    assert IdempotentRequest.objects.filter(key="deal-1:execute").count() == 1


@pytest.fixture
def live_api(live_server: Any, platform: tuple[ApiClient, str]) -> LiveApi:
    return LiveApi(live_server.url, platform[0].client_id, platform[1])


def paying_seller_and_platform(
    api: LiveApi, payer: Account, seller: Account, commission: Account, n: int
) -> dict[str, Any]:
    """A confirmed payment of n+1 roubles: n+1 less 10 kopecks to the seller, 10 to the
    platform; the body that executes it."""
    data = {
        "payer_account": payer.number,
        "payees": [
            {"account": seller.number, "amount": f"{n}.90"},
            {"account": commission.number, "amount": "0.10"},
        ],
        "amount": f"{n + 1}.00",
    }
    created = api.post(
        "/api/v1/payments/", {**data, "description": f"p {n}", "idempotency_key": f"pay-{n:06d}"}
    )
    assert created.status_code == 201, created.text
    op = created.json()["id"]
    confirmed = api.post(
        f"/api/v1/operations/{op}/confirm/",
        {"code": last_code(), "idempotency_key": f"conf-{n:06d}"},
    )
    assert confirmed.status_code == 200, confirmed.text
    return {
        "path": f"/api/v1/operations/{op}/execute/",
        "body": {**data, "key": confirmed.json()["key"], "idempotency_key": f"exec-{n:06d}"},
    }


def test_forty_payers_at_once_to_one_seller_and_the_platform_are_all_paid_exactly(
    live_api: LiveApi, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    """Every payment credits the same two accounts: they queue at the end, once each."""
    seller, commission = make_account(), make_account()
    payers = [make_account(balance=100_00, link_to=platform[0]) for _ in range(40)]
    calls = [
        paying_seller_and_platform(live_api, payer, seller, commission, n)
        for n, payer in enumerate(payers)
    ]
    responses = run_at_once(live_api, calls)
    assert [r.status_code for r in responses] == [200] * 40
    assert {r.json()["status"] for r in responses} == {"done"}
    assert Account.objects.get(pk=seller.pk).balance == sum(n * 100 + 90 for n in range(40))
    assert Account.objects.get(pk=commission.pk).balance == 40 * 10
    assert [Account.objects.get(pk=p.pk).balance for p in payers] == [
        100_00 - (n + 1) * 100 for n in range(40)
    ]
    call_command("reconcile")
