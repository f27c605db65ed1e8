"""The hold calls send what the bank's API expects, signed and keyed, and type its answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from bank_client import (
    BankClient,
    BankRefused,
    BankUnavailable,
    HoldInfo,
    HoldPayee,
    HoldRefund,
    Payee,
)

from .fake_bank import (
    HOLD_ID,
    OPERATION_ID,
    PAYER,
    PLATFORM,
    REFUND_ID,
    SELLER,
    FakeBank,
    captured_hold_json,
    error,
    hold_json,
    hold_request_json,
    refund_json,
    signature_is_valid,
)

PAYEES = [Payee(SELLER, 1250_00), Payee(PLATFORM, 250_50)]
MSK = timezone(timedelta(hours=3))


def _place(client: BankClient, **extra: str) -> HoldInfo:
    return client.hold_place(
        operation_id=OPERATION_ID,
        key="the-operation-key",
        payer_account=PAYER,
        payees=PAYEES,
        amount=1500_50,
        **extra,
    )


def test_a_hold_request_sends_the_payees_the_amount_and_the_hold_time() -> None:
    bank = FakeBank(httpx.Response(201, json=hold_request_json()))
    operation = bank.client().hold_request(
        payer_account=PAYER,
        payees=PAYEES,
        amount=1500_50,
        description="Deal 42",
        hold_until=datetime(2025, 3, 15, 12, 0, tzinfo=UTC),
        idempotency_key="deal-42:hold",
    )
    assert bank.last.url.raw_path == b"/api/v1/hold-requests/"
    assert signature_is_valid(bank.last)
    assert bank.last_json() == {
        "payer_account": PAYER,
        "payees": [
            {"account": SELLER, "amount": "1250.00"},
            {"account": PLATFORM, "amount": "250.50"},
        ],
        "amount": "1500.50",
        "description": "Deal 42",
        "hold_until": "2025-03-15T12:00:00+00:00",
        "idempotency_key": "deal-42:hold",
    }
    assert (operation.kind, operation.status, operation.hold_id) == ("hold", "awaiting_code", None)
    assert operation.hold_until == datetime(2025, 3, 15, 12, 0, tzinfo=UTC)


def test_a_hold_time_without_a_timezone_is_refused_before_anything_is_sent() -> None:
    bank = FakeBank()
    with pytest.raises(ValueError, match="timezone"):
        bank.client().hold_request(
            payer_account=PAYER,
            payees=PAYEES,
            amount=1500_50,
            description="Deal 42",
            hold_until=datetime(2025, 3, 15, 12, 0),  # noqa: DTZ001 - the mistake under test
            idempotency_key="deal-42:hold",
        )
    assert bank.requests == []


def test_placing_sends_the_key_and_the_confirmed_data_and_types_the_hold() -> None:
    bank = FakeBank(httpx.Response(201, json=hold_json()))
    hold = _place(bank.client(), idempotency_key="deal-42:place")
    assert bank.last.url.raw_path == f"/api/v1/operations/{OPERATION_ID}/place/".encode()
    body = bank.last_json()
    assert (body["key"], body["amount"], body["idempotency_key"]) == (
        "the-operation-key",
        "1500.50",
        "deal-42:place",
    )
    assert hold == HoldInfo(
        id=HOLD_ID,
        operation_id=OPERATION_ID,
        status="pending",
        account=PAYER,
        amount=1500_50,
        payees=(HoldPayee(SELLER, 1250_00, 0, 0), HoldPayee(PLATFORM, 250_50, 0, 0)),
        description="Deal 42",
        expires_at=datetime(2025, 3, 15, 15, 0, tzinfo=MSK),
        created_at=datetime(2025, 3, 1, 15, 6, 0, 500000, tzinfo=MSK),
        resolved_at=None,
        captured=0,
        released=0,
        refunded=0,
        refunds=(),
    )
    assert not hold.is_final


def test_a_capture_sends_its_amount_or_none_for_all_of_it() -> None:
    bank = FakeBank(httpx.Response(200, json=captured_hold_json()))
    client = bank.client()
    part = client.hold_capture(hold_id=HOLD_ID, amount=1000_00, idempotency_key="deal-42:cap")
    assert bank.last.url.raw_path == f"/api/v1/holds/{HOLD_ID}/capture/".encode()
    assert bank.last_json() == {"amount": "1000.00", "idempotency_key": "deal-42:cap"}
    assert (part.status, part.captured, part.released, part.is_final) == (
        "captured",
        1000_00,
        500_50,
        True,
    )
    assert [p.captured for p in part.payees] == [833_06, 166_94]
    client.hold_capture(hold_id=HOLD_ID)
    body = bank.last_json()
    assert set(body) == {"idempotency_key"}
    assert body["idempotency_key"].startswith("capture:")


def test_a_void_and_a_read_go_to_the_hold() -> None:
    bank = FakeBank(
        httpx.Response(200, json=hold_json(status="voided", released="1500.50")),
        httpx.Response(200, json=hold_json(status="expired", released="1500.50")),
    )
    client = bank.client()
    assert client.hold_void(hold_id=HOLD_ID).status == "voided"
    assert bank.last.url.raw_path == f"/api/v1/holds/{HOLD_ID}/void/".encode()
    assert bank.last_json()["idempotency_key"].startswith("void:")
    assert client.hold_get(hold_id=HOLD_ID).status == "expired"
    assert (bank.last.method, bank.last.content) == ("GET", b"")
    assert signature_is_valid(bank.last)


def test_a_refund_sends_the_callers_key_and_types_the_hold_after_it() -> None:
    bank = FakeBank(httpx.Response(201, json=refund_json()))
    refund = bank.client().hold_refund(
        hold_id=HOLD_ID, amount=100_00, idempotency_key="deal-42:refund-1"
    )
    assert bank.last.url.raw_path == f"/api/v1/holds/{HOLD_ID}/refunds/".encode()
    assert bank.last_json() == {"amount": "100.00", "idempotency_key": "deal-42:refund-1"}
    assert (refund.id, refund.amount, refund.hold.refunded) == (REFUND_ID, 100_00, 100_00)
    assert refund.hold.refundable == 900_00
    assert refund.hold.refunds == (
        HoldRefund(REFUND_ID, 100_00, datetime(2025, 3, 6, 12, 0, tzinfo=MSK)),
    )


def test_a_hold_path_escapes_the_id() -> None:
    bank = FakeBank(error(404, "hold_not_found", "No such hold."))
    with pytest.raises(BankRefused) as caught:
        bank.client().hold_get(hold_id="a/b?c")
    assert bank.last.url.raw_path == b"/api/v1/holds/a%2Fb%3Fc/"
    assert (caught.value.code, caught.value.status) == ("hold_not_found", 404)


@pytest.mark.parametrize(
    ("status", "code", "details"),
    [
        (409, "already_captured", {}),
        (409, "already_voided", {}),
        (409, "hold_expired", {}),
        (422, "exceeds_hold_amount", {"field": "amount"}),
        (422, "refund_exceeds_capture", {"field": "amount", "refundable": "700.00"}),
        (409, "not_captured", {}),
        (422, "insufficient_funds", {}),
        (409, "idempotency_conflict", {"field": "idempotency_key"}),
    ],
)
def test_the_banks_hold_refusals_are_named_refusals(
    status: int, code: str, details: dict[str, str]
) -> None:
    bank = FakeBank(error(status, code, **details))
    with pytest.raises(BankRefused) as caught:
        bank.client().hold_capture(hold_id=HOLD_ID)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert caught.value.field == details.get("field")
    assert caught.value.extra == {k: v for k, v in details.items() if k != "field"}


@pytest.mark.parametrize(
    "broken",
    [
        hold_json(amount=1500.5),  # a float, not the bank's string
        hold_json(expires_at=None),
        hold_json(payees=[{"account": SELLER}]),
        hold_json(refunds=[{"id": REFUND_ID, "amount": "1.00", "created_at": "yesterday"}]),
        {**hold_json(), "status": None},
    ],
)
def test_a_hold_answer_of_the_wrong_shape_counts_as_no_answer(broken: dict[str, object]) -> None:
    bank = FakeBank(httpx.Response(200, content=json.dumps(broken).encode()))
    with pytest.raises(BankUnavailable):
        bank.client().hold_get(hold_id=HOLD_ID)


def test_a_write_that_times_out_is_not_retried_and_its_outcome_is_unknown() -> None:
    bank = FakeBank(httpx.ReadTimeout("slow"))
    with pytest.raises(BankUnavailable):
        bank.client().hold_capture(hold_id=HOLD_ID, idempotency_key="deal-42:cap")
    assert len(bank.requests) == 1  # the caller retries with the same key
