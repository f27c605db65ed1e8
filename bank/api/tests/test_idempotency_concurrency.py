"""Replays fired at once against a live server on PostgreSQL queue on the key's unique index:
every one gets the first answer, byte for byte, and the work is done once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from api.idempotency import REPLAYED_HEADER
from api.models import ApiClient, IdempotentRequest
from ledger.models import Account, Posting
from operations import services
from operations.models import Operation
from operations.tests.helpers import last_code
from operations.tests.test_concurrency import LiveApi, run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

REPLAYS = 20


@pytest.fixture
def live_api(live_server: Any, platform: tuple[ApiClient, str]) -> LiveApi:
    return LiveApi(live_server.url, platform[0].client_id, platform[1])


@pytest.fixture
def payment(
    live_api: LiveApi, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> dict[str, Any]:
    """A payment awaiting its code: the data that executes it, its id and its code."""
    payer, payee = make_account(balance=500_00, link_to=platform[0]), make_account()
    data = {
        "payer_account": payer.number,
        "payees": [{"account": payee.number, "amount": "120.00"}],
        "amount": "120.00",
    }
    created = live_api.post(
        "/api/v1/payments/", {**data, "description": "replays", "idempotency_key": "pay-1:abc"}
    )
    assert created.status_code == 201, created.text
    return {
        "data": data,
        "id": created.json()["id"],
        "code": last_code(),
        "accounts": (payer, payee),
    }


def identical(responses: list[Any]) -> set[tuple[int, bytes]]:
    """The distinct answers; exactly one response was not a replay."""
    assert sum(REPLAYED_HEADER not in r.headers for r in responses) == 1
    return {(r.status_code, r.content) for r in responses}


def test_twenty_replays_of_one_confirm_all_get_the_one_operation_key(
    live_api: LiveApi, payment: dict[str, Any]
) -> None:
    call = {
        "path": f"/api/v1/operations/{payment['id']}/confirm/",
        "body": {"code": payment["code"], "idempotency_key": "pay-1:confirm-1"},
    }
    responses = run_at_once(live_api, [call] * REPLAYS)
    answers = identical(responses)
    assert len(answers) == 1, answers
    status, _body = answers.pop()
    assert status == 200
    assert responses[0].json()["key"]
    operation = Operation.objects.get(public_id=payment["id"])
    assert (operation.status, operation.code_attempts_left) == ("confirmed", 5)
    assert IdempotentRequest.objects.filter(key="pay-1:confirm-1").count() == 1


def test_twenty_replays_of_one_wrong_code_count_one_attempt(
    live_api: LiveApi, payment: dict[str, Any]
) -> None:
    wrong = f"{(int(payment['code']) + 1) % 1_000_000:06d}"
    call = {
        "path": f"/api/v1/operations/{payment['id']}/confirm/",
        "body": {"code": wrong, "idempotency_key": "pay-1:confirm-1"},
    }
    responses = run_at_once(live_api, [call] * REPLAYS)
    answers = identical(responses)
    assert len(answers) == 1, answers
    assert responses[0].status_code == 422
    assert responses[0].json()["error"]["attempts_left"] == 4
    assert Operation.objects.get(public_id=payment["id"]).code_attempts_left == 4


def test_twenty_replays_of_one_execute_move_the_money_once_with_one_answer(
    live_api: LiveApi, payment: dict[str, Any]
) -> None:
    confirmed = live_api.post(
        f"/api/v1/operations/{payment['id']}/confirm/",
        {"code": payment["code"], "idempotency_key": "pay-1:confirm-1"},
    )
    call = {
        "path": f"/api/v1/operations/{payment['id']}/execute/",
        "body": {
            **payment["data"],
            "key": confirmed.json()["key"],
            "idempotency_key": "pay-1:execute",
        },
    }
    before = Account.objects.filter(pk__in=[a.pk for a in payment["accounts"]])
    total_before = sum(a.balance for a in before)
    responses = run_at_once(live_api, [call] * REPLAYS)
    answers = identical(responses)
    assert len(answers) == 1, answers
    assert responses[0].status_code == 200
    assert responses[0].json()["status"] == "done"
    payer, payee = (Account.objects.get(pk=a.pk) for a in payment["accounts"])
    assert (payer.balance, payee.balance) == (380_00, 120_00)
    assert payer.balance + payee.balance == total_before
    assert Posting.objects.filter(kind="payment").count() == 1


def test_a_replay_that_arrives_mid_request_waits_for_the_first_answer(
    live_api: LiveApi, payment: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic: the first request is held inside its transaction while the repeat
    comes; the repeat waits on the key's unique index, then answers what the first did."""
    Operation.objects.filter(public_id=payment["id"]).update(
        code_sent_at=timezone.now() - timedelta(minutes=1)
    )
    entered, release = threading.Event(), threading.Event()
    real_resend = services.code_resend

    def held_resend(**kwargs: Any) -> Operation:
        operation = real_resend(**kwargs)
        entered.set()
        assert release.wait(timeout=30)
        return operation

    monkeypatch.setattr(services, "code_resend", held_resend)
    path = f"/api/v1/operations/{payment['id']}/resend/"
    body = {"idempotency_key": "pay-1:resend-1"}
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(live_api.post, path, body)
        assert entered.wait(timeout=30)
        repeat = pool.submit(live_api.post, path, body)
        with pytest.raises(TimeoutError):
            repeat.result(timeout=1.0)  # queued behind the first request's row
        release.set()
        answers = [first.result(timeout=30), repeat.result(timeout=30)]
    assert [r.status_code for r in answers] == [200, 200]
    assert answers[0].content == answers[1].content
    assert REPLAYED_HEADER in answers[1].headers
    assert Operation.objects.get(public_id=payment["id"]).code_sends == 2
