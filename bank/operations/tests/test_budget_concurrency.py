"""Wrong codes fired at once at a live server on PostgreSQL are counted exactly."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from api.models import ApiClient
from ledger.models import Account
from operations.models import CodeEvent, Operation
from paylib.outbox.models import Message

from .helpers import last_code, wrong
from .test_concurrency import LiveApi

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def live_api(live_server: Any, platform: tuple[ApiClient, str]) -> LiveApi:
    return LiveApi(live_server.url, platform[0].client_id, platform[1])


def test_fifty_wrong_codes_at_once_over_ten_operations_record_exactly_twenty(
    live_api: LiveApi, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    payer, payee = make_account(balance=500_00, link_to=platform[0]), make_account()
    calls = []
    for n in range(10):
        created = live_api.post(
            "/api/v1/payments/",
            {
                "payer_account": payer.number,
                "payees": [{"account": payee.number, "amount": "1.00"}],
                "amount": "1.00",
                "description": f"guess {n}",
                "idempotency_key": f"guess-{n:06d}",
            },
        )
        assert created.status_code == 201, created.text
        path = f"/api/v1/operations/{created.json()['id']}/confirm/"
        calls += [{"path": path, "body": {"code": wrong(last_code())}}] * 5
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        responses = list(pool.map(lambda c: live_api.post(c["path"], c["body"]), calls))
    answers = Counter((r.status_code, r.json()["error"]["code"]) for r in responses)
    assert CodeEvent.objects.filter(account=payer, kind=CodeEvent.Kind.WRONG).count() == 20
    assert answers[(429, "account_codes_blocked")] == 30, answers
    counted = answers[(422, "invalid_code")] + answers[(409, "operation_blocked")]
    assert counted == 20, answers
    # Each operation's own attempts agree with what was recorded for it.
    for operation in Operation.objects.filter(account=payer):
        recorded = CodeEvent.objects.filter(operation=operation, kind="wrong").count()
        assert operation.code_attempts_left == 5 - recorded
        assert operation.status == ("blocked" if recorded == 5 else "awaiting_code")
    # The owner is told once.
    assert Message.objects.filter(kind="operations.codes_blocked_email").count() == 1
