"""What the idempotency layer stores, for how long, and when it stores nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from api import idempotency
from api.models import IdempotentRequest
from conftest import SignedClient, keyed
from ledger.models import Account
from operations import services
from operations.models import Operation
from operations.tests.helpers import last_code

from .idempotency_helpers import (
    confirm,
    operation,
    payment,
    start,
    wrong,
)

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


# What is stored, and for how long


def test_the_stored_answer_does_not_hold_the_operation_key_in_plain_text(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code(), "deal-1:confirm-1").json()["key"]
    record = IdempotentRequest.objects.get(key="deal-1:confirm-1")
    assert record.status_code == 200
    assert record.path == f"/api/v1/operations/{op}/confirm/"
    assert key not in record.response
    assert op not in record.response


@override_settings(OPERATION_EXECUTE_WINDOW=3600)
def test_answers_older_than_the_execute_window_are_purged_and_not_replayed(
    api: SignedClient, accounts: dict[str, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "PURGE_SAMPLE", 0)  # no purge by chance in between
    op = start(api, accounts)
    bad = wrong(last_code())
    assert confirm(api, op, bad, "deal-1:confirm-1").status_code == 422
    IdempotentRequest.objects.filter(key="deal-1:confirm-1").update(
        created_at=timezone.now() - timedelta(seconds=3601)
    )
    # Past the window the key is free: the same request is a new attempt.
    assert confirm(api, op, bad, "deal-1:confirm-1").json()["error"]["attempts_left"] == 3
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(seconds=3601))
    fresh = api.post(f"/api/v1/operations/{op}/resend/", keyed())
    assert fresh.status_code == 429
    assert idempotency.idempotent_requests_purge() == 2
    assert list(IdempotentRequest.objects.values_list("status_code", flat=True)) == [429]


@override_settings(OPERATION_EXECUTE_WINDOW=3600)
def test_writes_purge_old_answers_now_and_then(
    api: SignedClient, accounts: dict[str, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    start(api, accounts)
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(seconds=3601))
    monkeypatch.setattr(idempotency, "PURGE_SAMPLE", 1)  # this time, surely
    assert api.post("/api/v1/payments/", payment(accounts, key="deal-2:pay")).status_code == 201
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["deal-2:pay"]


# An unexpected error: everything rolls back, nothing is stored


def test_a_server_error_rolls_back_the_effect_and_stores_no_answer(
    api: SignedClient, accounts: dict[str, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    op = start(api, accounts)
    Operation.objects.filter(public_id=op).update(
        code_sent_at=timezone.now() - timedelta(minutes=1)
    )
    real_resend = services.code_resend

    def resend_then_fail(**kwargs: Any) -> Operation:
        real_resend(**kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "code_resend", resend_then_fail)
    api.http.raise_request_exception = False
    path = f"/api/v1/operations/{op}/resend/"
    assert api.post(path, {"idempotency_key": "deal-1:resend-1"}).status_code == 500
    assert operation(op).code_sends == 1  # the new code was rolled back
    assert not IdempotentRequest.objects.filter(key="deal-1:resend-1").exists()
    monkeypatch.undo()
    retried = api.post(path, {"idempotency_key": "deal-1:resend-1"})
    assert retried.status_code == 200
    assert operation(op).code_sends == 2


def test_the_wrong_attempt_counter_commits_only_with_the_stored_answer(
    api: SignedClient, accounts: dict[str, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the answer cannot be stored, the attempt is not counted either: one transaction."""
    op = start(api, accounts)
    bad = wrong(last_code())

    def cannot_store(text: str) -> str:
        raise RuntimeError("no room to store the answer")

    monkeypatch.setattr(idempotency, "_seal", cannot_store)
    api.http.raise_request_exception = False
    assert confirm(api, op, bad, "deal-1:confirm-1").status_code == 500
    assert operation(op).code_attempts_left == 5
    monkeypatch.undo()
    assert confirm(api, op, bad, "deal-1:confirm-1").json()["error"]["attempts_left"] == 4
    assert operation(op).code_attempts_left == 4
