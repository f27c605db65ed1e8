"""Every write takes an idempotency key; a repeat gets the first answer, other data a 409."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from api import idempotency
from api.models import ApiClient, IdempotentRequest
from conftest import SignedClient
from ledger.models import Account, Posting
from operations.models import AccountLink, Operation
from operations.tests.helpers import last_code

from .idempotency_helpers import (
    confirm,
    execute_body,
    operation,
    payment,
    start,
    wrong,
)

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


# A key is required


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/links/", {"account": "40817810000000000001"}),
        ("/api/v1/links/40817810000000000001/revoke/", {}),
        ("/api/v1/operations/{op}/resend/", {}),
        ("/api/v1/operations/{op}/confirm/", {"code": "123456"}),
        ("/api/v1/operations/{op}/execute/", {"key": "k" * 43}),
    ],
)
def test_a_write_without_a_key_is_a_400_naming_it_and_does_nothing(
    api: SignedClient, accounts: dict[str, Account], path: str, body: dict[str, Any]
) -> None:
    op = start(api, accounts)
    before = (Operation.objects.count(), IdempotentRequest.objects.count(), len(mail.outbox))
    response = api.post(path.format(op=op), body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert "idempotency_key" in response.json()["error"]["fields"]
    after = (Operation.objects.count(), IdempotentRequest.objects.count(), len(mail.outbox))
    assert after == before
    assert operation(op).code_attempts_left == 5
    assert operation(op).code_sends == 1


def test_a_payment_without_a_key_is_refused_too(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    body = payment(accounts)
    del body["idempotency_key"]
    response = api.post("/api/v1/payments/", body)
    assert response.status_code == 400
    assert "idempotency_key" in response.json()["error"]["fields"]
    assert not Operation.objects.exists()


# The same key and data: the first answer


def test_a_confirm_retried_with_its_key_gets_the_same_operation_key_back(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    """The point for the marketplace: a confirm that timed out is retried, not abandoned."""
    op = start(api, accounts)
    code = last_code()
    first = confirm(api, op, code, "deal-1:confirm-1")
    retried = confirm(api, op, code, "deal-1:confirm-1")
    assert (first.status_code, retried.status_code) == (200, 200)
    assert first.content == retried.content
    assert retried.json()["key"] is not None
    assert retried.headers[idempotency.REPLAYED_HEADER] == "true"
    assert idempotency.REPLAYED_HEADER not in first.headers
    # A new request (a new key) is a second confirm: the code is used up.
    again = confirm(api, op, code, "deal-1:confirm-2")
    assert again.json()["error"]["code"] == "wrong_state"


def test_a_replay_after_a_wrong_code_is_the_same_422_and_counts_no_attempt(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    bad = wrong(last_code())
    first = confirm(api, op, bad, "deal-1:confirm-1")
    assert first.status_code == 422
    assert first.json()["error"]["attempts_left"] == 4
    for _ in range(3):
        replay = confirm(api, op, bad, "deal-1:confirm-1")
        assert (replay.status_code, replay.content) == (422, first.content)
    assert operation(op).code_attempts_left == 4
    assert confirm(api, op, bad, "deal-1:confirm-2").json()["error"]["attempts_left"] == 3


def test_a_replayed_execute_answers_its_first_answer_and_moves_money_once(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code(), "deal-1:confirm-1").json()["key"]
    path = f"/api/v1/operations/{op}/execute/"
    first = api.post(path, execute_body(accounts, key, "deal-1:execute"))
    replays = [api.post(path, execute_body(accounts, key, "deal-1:execute")) for _ in range(3)]
    assert first.status_code == 200
    assert first.json()["status"] == "done"
    assert {(r.status_code, r.content) for r in replays} == {(200, first.content)}
    assert Posting.objects.filter(kind="payment").count() == 1
    assert Account.objects.get(pk=accounts["payer"].pk).balance == 900_00


def test_a_replayed_resend_sends_no_second_code(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    Operation.objects.filter(public_id=op).update(
        code_sent_at=timezone.now() - timedelta(minutes=1)
    )
    path = f"/api/v1/operations/{op}/resend/"
    first = api.post(path, {"idempotency_key": "deal-1:resend-1"})
    replay = api.post(path, {"idempotency_key": "deal-1:resend-1"})
    assert (first.status_code, replay.status_code) == (200, 200)
    assert first.content == replay.content
    assert operation(op).code_sends == 2
    assert len(mail.outbox) == 2  # the first code and one resend


def test_a_replayed_refusal_is_the_same_refusal_even_when_the_state_has_changed(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    """The answer belongs to the request: a repeat is not a new question."""
    op = start(api, accounts)
    path = f"/api/v1/operations/{op}/resend/"
    too_soon = api.post(path, {"idempotency_key": "deal-1:resend-1"})
    assert too_soon.status_code == 429
    Operation.objects.filter(public_id=op).update(
        code_sent_at=timezone.now() - timedelta(minutes=1)
    )
    replay = api.post(path, {"idempotency_key": "deal-1:resend-1"})
    assert (replay.status_code, replay.content) == (429, too_soon.content)
    assert api.post(path, {"idempotency_key": "deal-1:resend-2"}).status_code == 200


def test_a_replayed_revoke_does_not_revoke_a_link_made_since(
    api: SignedClient, platform: tuple[ApiClient, str], accounts: dict[str, Account]
) -> None:
    number = accounts["payer"].number
    path = f"/api/v1/links/{number}/revoke/"
    assert api.post(path, {"idempotency_key": "revoke-1:abc"}).status_code == 204
    AccountLink.objects.create(client=platform[0], account=accounts["payer"])
    assert api.post(path, {"idempotency_key": "revoke-1:abc"}).status_code == 204
    assert AccountLink.objects.filter(account=accounts["payer"], revoked_at=None).exists()


def test_a_body_with_its_keys_in_another_order_is_the_same_request(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    first = api.post("/api/v1/payments/", payment(accounts))
    reordered = dict(reversed(list(payment(accounts).items())))
    again = api.post("/api/v1/payments/", reordered)
    assert (again.status_code, again.content) == (201, first.content)


# Other data under a used key: 409, nothing done


@pytest.mark.parametrize(
    "reuse",
    ["other code", "other operation path", "other call", "other amount"],
)
def test_other_data_under_a_used_key_is_a_conflict_and_changes_nothing(
    api: SignedClient, accounts: dict[str, Account], reuse: str
) -> None:
    op = start(api, accounts)
    code = last_code()
    assert confirm(api, op, wrong(code), "used-key-1").status_code == 422
    if reuse == "other code":
        response = confirm(api, op, code, "used-key-1")
    elif reuse == "other operation path":
        response = api.post(
            "/api/v1/operations/00000000-0000-0000-0000-000000000000/confirm/",
            {"code": wrong(code), "idempotency_key": "used-key-1"},
        )
    elif reuse == "other call":
        response = api.post(f"/api/v1/operations/{op}/resend/", {"idempotency_key": "used-key-1"})
    else:
        response = api.post("/api/v1/payments/", payment(accounts, "used-key-1", "5.00"))
    assert response.status_code == 409, response.content
    assert response.json()["error"] == {
        "code": "idempotency_conflict",
        "message": "This idempotency key was already used with different data.",
        "field": "idempotency_key",
    }
    assert (operation(op).status, operation(op).code_attempts_left) == ("awaiting_code", 4)
    assert operation(op).code_sends == 1
    assert Operation.objects.count() == 1
    assert IdempotentRequest.objects.count() == 2  # the payment and the wrong confirm
    assert len(mail.outbox) == 1
