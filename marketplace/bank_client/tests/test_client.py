"""The client signs what it sends, sends what the bank's API expects and types the answers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from bank_client import (
    Balance,
    BankClient,
    BankUnavailable,
    OperationInfo,
    Payee,
    get_bank_client,
    new_idempotency_key,
)
from paylib import signing

from .fake_bank import (
    CLIENT_ID,
    OPERATION_ID,
    PAYER,
    PLATFORM,
    SELLER,
    FakeBank,
    link_json,
    operation_json,
    signature_is_valid,
)

PAYEES = [Payee(SELLER, 1250_00), Payee(PLATFORM, 250_50)]


def _request_payment(client: BankClient) -> OperationInfo:
    return client.payment_request(
        payer_account=PAYER,
        payees=PAYEES,
        amount=1500_50,
        description="Сделка 42",
        idempotency_key="deal-42:pay",
    )


def test_a_write_is_signed_over_its_path_and_the_exact_bytes_sent() -> None:
    bank = FakeBank(httpx.Response(201, json=operation_json()))
    _request_payment(bank.client())
    request = bank.last
    assert request.method == "POST"
    assert request.url.raw_path == b"/api/v1/payments/"
    assert request.headers["content-type"] == "application/json"
    assert request.headers[signing.HEADER_CLIENT] == CLIENT_ID
    assert signature_is_valid(request)


def test_the_signature_breaks_if_a_byte_of_the_body_or_the_secret_changes() -> None:
    bank = FakeBank(httpx.Response(201, json=operation_json()))
    _request_payment(bank.client())
    request = bank.last
    tampered = httpx.Request(
        "POST",
        request.url,
        headers=request.headers,
        content=request.content.replace(b"1500.50", b"1500.51"),
    )
    tampered.read()
    assert not signature_is_valid(tampered)
    assert not signature_is_valid(request, secret="another-secret")


def test_a_get_is_signed_over_an_empty_body_and_sends_no_content_type() -> None:
    bank = FakeBank(
        httpx.Response(200, json={"account": PAYER, "available": "1.00", "currency": "RUB"})
    )
    bank.client().balance(account_number=PAYER)
    assert bank.last.content == b""
    assert "content-type" not in bank.last.headers
    assert signature_is_valid(bank.last)


def test_the_signed_path_is_the_one_sent_including_a_prefix_of_the_base_url() -> None:
    bank = FakeBank(httpx.Response(200, json=operation_json()))
    bank.client(base_url="http://bank.test/gateway/").operation_get(operation_id=OPERATION_ID)
    assert bank.last.url.raw_path == f"/gateway/api/v1/operations/{OPERATION_ID}/".encode()
    assert signature_is_valid(bank.last)


def test_every_request_has_a_fresh_nonce_and_a_current_timestamp() -> None:
    bank = FakeBank(httpx.Response(200, json=operation_json()))
    client = bank.client()
    client.operation_get(operation_id=OPERATION_ID)
    client.operation_get(operation_id=OPERATION_ID)
    first, second = bank.requests
    assert first.headers[signing.HEADER_NONCE] != second.headers[signing.HEADER_NONCE]
    now = datetime.now(UTC).timestamp()
    assert abs(int(second.headers[signing.HEADER_TIMESTAMP]) - now) < 5


def test_a_payment_request_sends_amounts_as_decimal_strings() -> None:
    bank = FakeBank(httpx.Response(201, json=operation_json()))
    _request_payment(bank.client())
    assert bank.last_json() == {
        "payer_account": PAYER,
        "payees": [
            {"account": SELLER, "amount": "1250.00"},
            {"account": PLATFORM, "amount": "250.50"},
        ],
        "amount": "1500.50",
        "description": "Сделка 42",
        "idempotency_key": "deal-42:pay",
    }


def test_a_payment_answer_becomes_an_operation_in_kopecks_with_aware_datetimes() -> None:
    bank = FakeBank(httpx.Response(201, json=operation_json()))
    operation = _request_payment(bank.client())
    assert operation == OperationInfo(
        id=OPERATION_ID,
        kind="payment",
        status="awaiting_code",
        account=PAYER,
        amount=1500_50,
        payees=(Payee(SELLER, 1250_00), Payee(PLATFORM, 250_50)),
        description="Deal 42",
        code_expires_at=datetime(2025, 3, 1, 12, 5, 0, 123456, tzinfo=UTC),
        attempts_left=5,
        code_sends=1,
        failure_reason="",
        finished_at=None,
    )
    assert not operation.is_final


@pytest.mark.parametrize("amount", [Decimal("1500.50"), 1500.5, "1500.50", True])
def test_amounts_must_be_integer_kopecks_and_nothing_is_sent_otherwise(amount: object) -> None:
    bank = FakeBank()
    with pytest.raises(TypeError):
        bank.client().payment_request(
            payer_account=PAYER,
            payees=PAYEES,
            amount=amount,  # type: ignore[arg-type]
            description="x",
            idempotency_key="deal-42:pay",
        )
    assert bank.requests == []


def test_a_link_request_sends_the_account_and_key_and_reads_a_zero_amount() -> None:
    bank = FakeBank(httpx.Response(201, json=link_json()))
    operation = bank.client().link_request(account_number=PAYER, idempotency_key="link-1:abcdef")
    assert bank.last.url.raw_path == b"/api/v1/links/"
    assert bank.last_json() == {"account": PAYER, "idempotency_key": "link-1:abcdef"}
    assert (operation.kind, operation.amount, operation.payees) == ("link", 0, ())


def test_a_link_is_confirmed_with_the_code_and_returns_the_operation() -> None:
    done = link_json(status="done", finished_at="2025-03-01T15:01:00+03:00")
    bank = FakeBank(httpx.Response(200, json={"operation": done, "key": None}))
    operation = bank.client().link_confirm(
        operation_id=OPERATION_ID, code="123456", idempotency_key="link-1:confirm"
    )
    assert bank.last.url.raw_path == f"/api/v1/operations/{OPERATION_ID}/confirm/".encode()
    assert bank.last_json() == {"code": "123456", "idempotency_key": "link-1:confirm"}
    assert operation.status == "done"
    assert operation.is_final
    assert operation.finished_at == datetime(2025, 3, 1, 12, 1, tzinfo=UTC)


def test_revoking_a_link_posts_its_key_and_returns_nothing() -> None:
    bank = FakeBank(httpx.Response(204))
    assert bank.client().link_revoke(account_number=PAYER, idempotency_key="unlink-7:a") is None
    assert bank.last.method == "POST"
    assert bank.last.url.raw_path == f"/api/v1/links/{PAYER}/revoke/".encode()
    assert bank.last_json() == {"idempotency_key": "unlink-7:a"}
    assert signature_is_valid(bank.last)


@pytest.mark.parametrize(("wire", "kopecks"), [("12500.75", 12500_75), ("0.00", 0)])
def test_a_balance_is_read_in_kopecks(wire: str, kopecks: int) -> None:
    body = {"account": PAYER, "available": wire, "currency": "RUB"}
    bank = FakeBank(httpx.Response(200, json=body))
    assert bank.client().balance(account_number=PAYER) == Balance(PAYER, kopecks, "RUB")
    assert bank.last.url.raw_path == f"/api/v1/accounts/{PAYER}/balance/".encode()


def test_confirming_a_payment_returns_its_key() -> None:
    body = {"operation": operation_json(status="confirmed"), "key": "k" * 43}
    bank = FakeBank(httpx.Response(200, json=body))
    confirmation = bank.client().operation_confirm(
        operation_id=OPERATION_ID, code="654321", idempotency_key="deal-42:confirm-1"
    )
    assert bank.last_json() == {"code": "654321", "idempotency_key": "deal-42:confirm-1"}
    assert confirmation.key == "k" * 43
    assert confirmation.operation.status == "confirmed"


def test_executing_sends_the_key_and_the_payment_data_again() -> None:
    done = operation_json(status="done", finished_at="2025-03-01T15:02:00+03:00")
    bank = FakeBank(httpx.Response(200, json=done))
    operation = bank.client().operation_execute(
        operation_id=OPERATION_ID,
        key="the-key",
        payer_account=PAYER,
        payees=PAYEES,
        amount=1500_50,
        idempotency_key="payment-9:execute",
    )
    assert bank.last.url.raw_path == f"/api/v1/operations/{OPERATION_ID}/execute/".encode()
    assert bank.last_json() == {
        "key": "the-key",
        "payer_account": PAYER,
        "payees": [
            {"account": SELLER, "amount": "1250.00"},
            {"account": PLATFORM, "amount": "250.50"},
        ],
        "amount": "1500.50",
        "idempotency_key": "payment-9:execute",
    }
    assert operation.status == "done"


def test_resending_a_code_posts_its_key_signed() -> None:
    bank = FakeBank(httpx.Response(200, json=operation_json(code_sends=2)))
    operation = bank.client().operation_resend(
        operation_id=OPERATION_ID, idempotency_key="deal-42:resend-1"
    )
    assert bank.last.method == "POST"
    assert bank.last.url.raw_path == f"/api/v1/operations/{OPERATION_ID}/resend/".encode()
    assert bank.last_json() == {"idempotency_key": "deal-42:resend-1"}
    assert signature_is_valid(bank.last)
    assert operation.code_sends == 2


def test_a_failed_payment_carries_the_ledgers_reason() -> None:
    failed = operation_json(
        status="failed", failure_reason="insufficient_funds", finished_at="2025-03-01T12:02:00Z"
    )
    bank = FakeBank(httpx.Response(200, json=failed))
    operation = bank.client().operation_get(operation_id=OPERATION_ID)
    assert bank.last.method == "GET"
    assert (operation.status, operation.failure_reason) == ("failed", "insufficient_funds")
    assert operation.finished_at == datetime(2025, 3, 1, 12, 2, tzinfo=UTC)


def test_path_parts_are_escaped_so_they_cannot_change_the_route() -> None:
    bank = FakeBank(httpx.Response(200, json=operation_json()))
    bank.client().operation_get(operation_id="../links/x?y")
    assert bank.last.url.raw_path == b"/api/v1/operations/..%2Flinks%2Fx%3Fy/"
    assert signature_is_valid(bank.last)


@pytest.mark.parametrize(
    "broken",
    [
        operation_json(amount="12.345"),
        operation_json(amount=1500.5),
        operation_json(status=None),
        operation_json(attempts_left="5"),
        operation_json(payees=[{"account": SELLER}]),
        operation_json(code_expires_at="2025-03-01T15:05:00"),
        operation_json(finished_at="yesterday"),
        ["not", "an", "object"],
    ],
)
def test_a_success_answer_of_the_wrong_shape_is_treated_as_no_answer(broken: object) -> None:
    bank = FakeBank(httpx.Response(200, json=broken))
    with pytest.raises(BankUnavailable) as caught:
        bank.client().operation_get(operation_id=OPERATION_ID)
    assert caught.value.code == "bank_unavailable"
    assert caught.value.status == 200


def test_idempotency_keys_are_unique_and_fit_the_banks_rules() -> None:
    keys = {new_idempotency_key("deal-42.pay") for _ in range(100)}
    assert len(keys) == 100
    for key in keys:
        assert key.startswith("deal-42.pay:")
        assert re.fullmatch(r"[A-Za-z0-9_.:-]{8,64}", key)
    assert len(new_idempotency_key("p" * 39)) == 64


@pytest.mark.parametrize("prefix", ["", "p" * 40, "deal 42", "сделка", "a:b"])
def test_an_idempotency_key_prefix_that_the_bank_would_refuse_is_an_error(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        new_idempotency_key(prefix)


def test_the_client_has_the_timeout_it_was_given_and_closes() -> None:
    with BankClient("http://bank.test", CLIENT_ID, "secret", timeout=3.5) as client:
        assert client._http.timeout == httpx.Timeout(3.5)
    assert client._http.is_closed


def test_get_bank_client_reads_the_django_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = SimpleNamespace(
        BANK_API_URL="http://bank.internal:8001",
        BANK_API_CLIENT_ID="cl_x",
        BANK_API_SECRET="s",
        BANK_API_TIMEOUT=4,
    )
    monkeypatch.setattr("django.conf.settings", settings)
    with get_bank_client() as client:
        assert client._http.base_url == httpx.URL("http://bank.internal:8001")
        assert client._http.timeout == httpx.Timeout(4.0)
        assert client._client_id == "cl_x"


def test_get_bank_client_names_the_missing_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings = SimpleNamespace(
        BANK_API_URL="http://bank", BANK_API_CLIENT_ID="", BANK_API_SECRET=""
    )
    monkeypatch.setattr("django.conf.settings", settings)
    with pytest.raises(ImproperlyConfigured, match="BANK_API_CLIENT_ID, BANK_API_SECRET"):
        get_bank_client()


WRITES_WITHOUT_A_KEY = {
    "confirm": lambda c: c.operation_confirm(operation_id=OPERATION_ID, code="123456"),
    "link confirm": lambda c: c.link_confirm(operation_id=OPERATION_ID, code="123456"),
    "resend": lambda c: c.operation_resend(operation_id=OPERATION_ID),
    "revoke": lambda c: c.link_revoke(account_number=PAYER),
    "execute": lambda c: c.operation_execute(
        operation_id=OPERATION_ID, key="k", payer_account=PAYER, payees=PAYEES, amount=1500_50
    ),
}


@pytest.mark.parametrize("write", WRITES_WITHOUT_A_KEY.values(), ids=WRITES_WITHOUT_A_KEY.keys())
def test_a_write_called_without_a_key_sends_a_fresh_valid_one(write: Any) -> None:
    """Callers that give no key keep working; each call is then a new request to the bank."""
    confirmation = {"operation": operation_json(status="confirmed"), "key": "k" * 43}
    bank = FakeBank(
        lambda request: httpx.Response(
            204 if request.url.path.endswith("/revoke/") else 200,
            json=confirmation if request.url.path.endswith("/confirm/") else operation_json(),
        )
    )
    client = bank.client()
    write(client)
    write(client)
    keys = [json.loads(request.content)["idempotency_key"] for request in bank.requests]
    assert len(set(keys)) == 2
    assert all(re.fullmatch(r"[A-Za-z0-9_.:-]{8,64}", key) for key in keys)
    assert all(signature_is_valid(request) for request in bank.requests)


def test_a_retry_with_the_same_key_sends_the_same_body() -> None:
    """What makes a confirm safe to retry after a timeout: the bank sees the same request."""
    body = {"operation": operation_json(status="confirmed"), "key": "k" * 43}
    bank = FakeBank(httpx.ReadTimeout("slow bank"), httpx.Response(200, json=body))
    client = bank.client()
    with pytest.raises(BankUnavailable):
        client.operation_confirm(operation_id=OPERATION_ID, code="654321", idempotency_key="p-1:c")
    client.operation_confirm(operation_id=OPERATION_ID, code="654321", idempotency_key="p-1:c")
    first, retry = bank.requests
    assert first.content == retry.content
    assert first.headers[signing.HEADER_NONCE] != retry.headers[signing.HEADER_NONCE]


def test_the_signature_covers_an_escaped_path_as_the_bank_reads_it() -> None:
    bank = FakeBank(httpx.Response(200, json=operation_json()))
    bank.client().operation_get(operation_id="{x}%")
    assert bank.last.url.raw_path == b"/api/v1/operations/%7Bx%7D%25/"
    routed = signing.routed_target(path="/api/v1/operations/{x}%/", query_string="")
    assert routed == signing.canonical_target(bank.last.url.raw_path.decode())
    assert signature_is_valid(bank.last)
