"""The periodic end of operations nobody can finish: the pending lists stay true."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import SignedClient
from ledger.models import Account
from operations.budget import code_events_purge
from operations.lifecycle import operations_expire_stale
from operations.models import CodeEvent, Operation
from operations.tasks import expire_stale_operations, purge_code_events

from .helpers import balances, confirm, execute_body, last_code, start, start_with

pytestmark = pytest.mark.django_db


def age(op: str, **fields: object) -> None:
    Operation.objects.filter(public_id=op).update(**fields)


def platform_sees(api: SignedClient, op: str) -> tuple[str, str]:
    body = api.get(f"/api/v1/operations/{op}/").json()
    return body["status"], body["failure_reason"]


def test_a_confirmed_payment_past_its_execute_window_ends_and_cannot_be_executed(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code()).json()["key"]
    age(op, confirmed_at=timezone.now() - timedelta(hours=24, seconds=1))
    assert operations_expire_stale() == 1
    assert platform_sees(api, op) == ("failed", "expired")
    executed = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    assert (executed.json()["status"], executed.json()["failure_reason"]) == ("failed", "expired")
    assert balances(accounts)["payer"] == 1000_00
    refused = confirm(api, op, last_code())
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "operation_expired"


def test_an_operation_whose_last_code_expired_ends_with_its_code(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    code = last_code()
    age(
        op,
        code_sends=settings.CONFIRMATION_CODE_MAX_SENDS,
        code_expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert operations_expire_stale() == 1
    assert platform_sees(api, op) == ("failed", "code_expired")
    assert Operation.objects.get(public_id=op).code_hash is None
    for answer in (confirm(api, op, code), api.post(f"/api/v1/operations/{op}/resend/")):
        assert answer.status_code == 409
        assert answer.json()["error"]["code"] == "operation_expired"


def test_an_operation_nobody_asked_a_new_code_for_within_a_day_ends(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    age(
        op,
        code_sent_at=timezone.now() - timedelta(hours=24, seconds=1),
        code_expires_at=timezone.now() - timedelta(hours=23),
    )
    assert operations_expire_stale() == 1
    assert platform_sees(api, op) == ("failed", "code_expired")


def test_operations_that_can_still_finish_are_left_alone(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    waiting = start_with(api, accounts, "still-waiting-1")
    expired_with_resends = start_with(api, accounts, "may-resend-01")
    age(expired_with_resends, code_expires_at=timezone.now() - timedelta(minutes=1))
    confirmed = start_with(api, accounts, "confirmed-recently")
    confirm(api, confirmed, last_code())
    age(confirmed, confirmed_at=timezone.now() - timedelta(hours=23))
    assert operations_expire_stale() == 0
    assert [platform_sees(api, op)[0] for op in (waiting, expired_with_resends, confirmed)] == [
        "awaiting_code",
        "awaiting_code",
        "confirmed",
    ]
    assert api.post(f"/api/v1/operations/{waiting}/confirm/", {"code": "x"}).status_code == 400


@pytest.mark.smoke
def test_the_sweep_is_a_beat_task(api: SignedClient, accounts: dict[str, Account]) -> None:
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"operations.expire_stale", "operations.purge_code_events"} <= schedule
    op = start(api, accounts)
    age(op, code_sends=5, code_expires_at=timezone.now() - timedelta(seconds=1))
    assert expire_stale_operations.delay().get() == 1
    assert expire_stale_operations.delay().get() == 0


def test_old_code_events_are_forgotten(api: SignedClient, accounts: dict[str, Account]) -> None:
    start(api, accounts)
    start_with(api, accounts, "second-payment")
    CodeEvent.objects.filter(pk=CodeEvent.objects.order_by("pk").first().pk).update(  # type: ignore[union-attr]
        created_at=timezone.now() - timedelta(days=31)
    )
    assert purge_code_events.delay().get() == 1
    assert CodeEvent.objects.count() == 1
    assert code_events_purge() == 0
