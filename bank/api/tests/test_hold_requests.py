"""Hold requests through the API: asked and confirmed like payments, placed with the key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from api.models import IdempotentRequest
from conftest import SignedClient, keyed
from customers.models import Customer
from holds.models import Hold
from ledger.models import Account
from ledger.services import deposit_create
from operations.lifecycle import operation_decline
from operations.models import Operation

from .hold_helpers import (
    confirmed_hold_request,
    error_code,
    hold_data,
    place,
    placed_hold,
    request_hold,
    until,
)

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def fresh(account: Account) -> Account:
    account.refresh_from_db()
    return account


def test_a_hold_request_is_an_operation_awaiting_its_code(
    api: SignedClient, parties: dict[str, Account]
) -> None:
    moment = until(days=30)
    response = request_hold(api, parties, hold_until=moment)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["amount"]) == ("hold", "awaiting_code", "1000.00")
    assert [p["amount"] for p in body["payees"]] == ["950.00", "50.00"]
    assert body["hold"] is None
    operation = Operation.objects.get(public_id=body["id"])
    assert operation.hold_until is not None
    assert operation.hold_until == datetime.fromisoformat(moment)
    assert len(mail.outbox) == 1
    assert fresh(parties["payer"]).held == 0  # nothing is held before the code and the place


@pytest.mark.parametrize(
    "hold_until", [until(days=-1), until(days=61), "tomorrow", "2027-02-30T10:00:00+03:00"]
)
def test_a_hold_time_in_the_past_or_beyond_sixty_days_is_a_400_and_nothing_is_asked(
    api: SignedClient, parties: dict[str, Account], hold_until: str
) -> None:
    response = request_hold(api, parties, hold_until=hold_until)
    assert error_code(response) == (400, "validation_error")
    assert set(response.json()["error"]["fields"]) == {"hold_until"}
    assert (Operation.objects.count(), len(mail.outbox)) == (0, 0)


def test_a_hold_beyond_the_available_balance_is_refused_before_any_code(
    api: SignedClient, parties: dict[str, Account]
) -> None:
    response = request_hold(api, parties, seller="990.00", platform="10.01")
    assert error_code(response) == (422, "insufficient_funds")
    assert (Operation.objects.count(), len(mail.outbox)) == (0, 0)


def test_a_confirmed_request_places_one_hold_and_every_repeat_answers_it(
    api: SignedClient, parties: dict[str, Account]
) -> None:
    op, key = confirmed_hold_request(api, parties)
    assert fresh(parties["payer"]).held == 0
    first = place(api, parties, op, key, idempotency_key="place-0001")
    assert first.status_code == 201, first.content
    hold = first.json()
    assert (hold["status"], hold["amount"], hold["operation"]) == ("pending", "1000.00", op)
    assert [(p["amount"], p["captured"]) for p in hold["payees"]] == [
        ("950.00", "0.00"),
        ("50.00", "0.00"),
    ]
    assert Hold.objects.get().expires_at == Operation.objects.get().hold_until
    replay = place(api, parties, op, key, idempotency_key="place-0001")
    again = place(api, parties, op, key, idempotency_key="place-0002")  # a new request, one hold
    assert (replay.status_code, replay.json()) == (201, hold)
    assert (again.status_code, again.json()["id"]) == (200, hold["id"])
    assert Hold.objects.count() == 1
    payer = fresh(parties["payer"])
    assert (payer.balance, payer.held, payer.available) == (1000_00, 1000_00, 0)
    operation = api.get(f"/api/v1/operations/{op}/").json()
    assert (operation["status"], operation["hold"]) == ("done", hold["id"])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"key": "not-the-key"}, (403, "invalid_key")),
        ({"amount": "999.00"}, (400, "validation_error")),  # the payees no longer add up
        ({"payees_swapped": True}, (409, "data_mismatch")),
    ],
)
def test_a_wrong_key_or_other_data_places_nothing(
    api: SignedClient, parties: dict[str, Account], change: dict[str, Any], expected: Any
) -> None:
    op, key = confirmed_hold_request(api, parties)
    body = {**hold_data(parties), "key": key, **keyed()}
    if change.pop("payees_swapped", False):
        body["payees"] = [
            {"account": parties["seller"].number, "amount": "50.00"},
            {"account": parties["platform"].number, "amount": "950.00"},
        ]
    body.update(change)
    response = api.post(f"/api/v1/operations/{op}/place/", body)
    assert error_code(response) == expected
    assert (Hold.objects.count(), fresh(parties["payer"]).held) == (0, 0)
    assert Operation.objects.get().status == "confirmed"


def test_a_payments_key_places_no_hold_and_a_hold_requests_key_executes_no_payment(
    api: SignedClient, parties: dict[str, Account]
) -> None:
    op, key = confirmed_hold_request(api, parties)
    execute = api.post(
        f"/api/v1/operations/{op}/execute/", {**hold_data(parties), "key": key, **keyed()}
    )
    assert error_code(execute) == (403, "invalid_key")
    assert (fresh(parties["payer"]).balance, Hold.objects.count()) == (1000_00, 0)


def test_a_request_awaiting_its_code_cannot_be_placed(
    api: SignedClient, parties: dict[str, Account]
) -> None:
    op = request_hold(api, parties).json()["id"]
    assert error_code(place(api, parties, op, "k" * 43)) == (403, "invalid_key")
    assert Operation.objects.get().status == "awaiting_code"


def test_money_spent_before_the_place_fails_the_request_for_good(
    api: SignedClient, parties: dict[str, Account], make_account: Any
) -> None:
    op, key = confirmed_hold_request(api, parties)
    other_op, other_key = confirmed_hold_request(api, parties, key="deal-10:hold")
    assert place(api, parties, other_op, other_key, idempotency_key="place-10").status_code == 201
    refused = place(api, parties, op, key, idempotency_key="place-09")
    assert error_code(refused) == (422, "insufficient_funds")
    operation = Operation.objects.get(public_id=op)
    assert (operation.status, operation.failure_reason) == ("failed", "insufficient_funds")
    deposit_create(account=parties["payer"], amount=5_000_00, created_by=None)
    later = place(api, parties, op, key, idempotency_key="place-09b")  # failed stays failed
    assert error_code(later) == (422, "insufficient_funds")
    assert Hold.objects.count() == 1


def test_a_declined_request_cannot_be_placed(
    api: SignedClient, parties: dict[str, Account]
) -> None:
    op, key = confirmed_hold_request(api, parties)
    customer = parties["payer"].customer
    assert isinstance(customer, Customer)
    operation_decline(customer=customer, operation_id=op)
    assert error_code(place(api, parties, op, key)) == (409, "operation_declined")
    assert (Hold.objects.count(), fresh(parties["payer"]).held) == (0, 0)


def test_a_request_whose_hold_time_has_passed_is_not_placed(
    api: SignedClient, parties: dict[str, Account]
) -> None:
    op, key = confirmed_hold_request(api, parties)
    Operation.objects.filter(public_id=op).update(hold_until=timezone.now())
    assert error_code(place(api, parties, op, key)) == (409, "hold_expired")
    operation = Operation.objects.get(public_id=op)
    assert (operation.status, operation.failure_reason) == ("failed", "hold_time_passed")
    assert Hold.objects.count() == 0


def test_an_unlinked_payer_is_not_held(api: SignedClient, parties: dict[str, Account]) -> None:
    op, key = confirmed_hold_request(api, parties)
    api.post(f"/api/v1/links/{parties['payer'].number}/revoke/", keyed())
    assert error_code(place(api, parties, op, key)) == (422, "account_not_available")
    assert Operation.objects.get(public_id=op).failure_reason == "account_not_linked"


def test_a_repeated_hold_request_key_finds_its_operation_after_the_answer_is_gone(
    api: SignedClient, parties: dict[str, Account]
) -> None:
    moment = until()
    first = request_hold(api, parties, hold_until=moment)
    IdempotentRequest.objects.all().delete()
    repeat = request_hold(api, parties, hold_until=moment)
    assert (repeat.status_code, repeat.json()["id"]) == (200, first.json()["id"])
    other_time = request_hold(api, parties, hold_until=until(days=3))
    assert error_code(other_time) == (409, "idempotency_conflict")
    assert len(mail.outbox) == 1


def test_placed_holds_are_read_by_their_id(api: SignedClient, parties: dict[str, Account]) -> None:
    hold = placed_hold(api, parties)
    body = api.get(f"/api/v1/holds/{hold}/").json()
    assert (body["id"], body["status"], body["released"], body["refunds"]) == (
        hold,
        "pending",
        "0.00",
        [],
    )


def test_a_payee_blocked_since_the_request_is_not_held_for(
    api: SignedClient, parties: dict[str, Account]
) -> None:
    op, key = confirmed_hold_request(api, parties)
    Account.objects.filter(pk=parties["seller"].pk).update(status=Account.Status.BLOCKED)
    assert error_code(place(api, parties, op, key)) == (422, "account_blocked")
    assert Operation.objects.get(public_id=op).failure_reason == "account_blocked"
    assert (Hold.objects.count(), fresh(parties["payer"]).held) == (0, 0)
