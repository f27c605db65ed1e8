"""A scripted bank behind ``httpx.MockTransport``: it records requests and plays answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

import httpx
from django.utils.encoding import repercent_broken_unicode

from bank_client import BankClient
from paylib import signing
from paylib.accounts import make_account_number

BASE_URL = "http://bank.test"
CLIENT_ID = "cl_test"
SECRET = "s3cret-for-tests"
OPERATION_ID = "8d5b7a4e-2f0c-4c1e-9a57-1b2c3d4e5f60"
HOLD_ID = "3f2e1d0c-9b8a-4765-8432-10fedcba9876"
REFUND_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def account(serial: int) -> str:
    return make_account_number(
        bik="044525974", balance_account="40817", currency="810", serial=serial
    )


PAYER, SELLER, PLATFORM = account(1), account(2), account(3)

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def operation_json(**overrides: Any) -> dict[str, Any]:
    """An operation as the bank's ``OperationOut`` serialises it."""
    data: dict[str, Any] = {
        "id": OPERATION_ID,
        "kind": "payment",
        "status": "awaiting_code",
        "account": PAYER,
        "amount": "1500.50",
        "payees": [
            {"account": SELLER, "amount": "1250.00"},
            {"account": PLATFORM, "amount": "250.50"},
        ],
        "description": "Deal 42",
        "code_expires_at": "2025-03-01T15:05:00.123456+03:00",
        "attempts_left": 5,
        "code_sends": 1,
        "failure_reason": "",
        "created_at": "2025-03-01T15:00:00.123456+03:00",
        "confirmed_at": None,
        "finished_at": None,
    }
    data.update(overrides)
    return data


def link_json(**overrides: Any) -> dict[str, Any]:
    fields = {"kind": "link", "amount": "0.00", "payees": [], "description": "Account link"}
    return operation_json(**{**fields, **overrides})


def hold_request_json(**overrides: Any) -> dict[str, Any]:
    """A hold request as the bank's ``OperationOut`` has it: a payment's fields and its time."""
    fields = {"kind": "hold", "hold_until": "2025-03-15T15:00:00+03:00", "hold": None}
    return operation_json(**{**fields, **overrides})


def hold_json(**overrides: Any) -> dict[str, Any]:
    """A pending hold as the bank's ``HoldOut`` serialises it."""
    data: dict[str, Any] = {
        "id": HOLD_ID,
        "operation": OPERATION_ID,
        "status": "pending",
        "account": PAYER,
        "amount": "1500.50",
        "payees": [
            {"account": SELLER, "amount": "1250.00", "captured": "0.00", "refunded": "0.00"},
            {"account": PLATFORM, "amount": "250.50", "captured": "0.00", "refunded": "0.00"},
        ],
        "description": "Deal 42",
        "expires_at": "2025-03-15T15:00:00+03:00",
        "created_at": "2025-03-01T15:06:00.5+03:00",
        "resolved_at": None,
        "captured": "0.00",
        "released": "0.00",
        "refunded": "0.00",
        "refunds": [],
    }
    data.update(overrides)
    return data


def captured_hold_json(**overrides: Any) -> dict[str, Any]:
    """The hold captured for 1000.00: 833.06 to the seller, 166.94 to the platform (the
    bank's largest-remainder split)."""
    fields: dict[str, Any] = {
        "status": "captured",
        "resolved_at": "2025-03-05T10:00:00+03:00",
        "captured": "1000.00",
        "released": "500.50",
        "payees": [
            {"account": SELLER, "amount": "1250.00", "captured": "833.06", "refunded": "0.00"},
            {"account": PLATFORM, "amount": "250.50", "captured": "166.94", "refunded": "0.00"},
        ],
    }
    return hold_json(**{**fields, **overrides})


def refund_json(**overrides: Any) -> dict[str, Any]:
    """A refund of 100.00 of the captured hold, with the hold after it."""
    refund = {"id": REFUND_ID, "amount": "100.00", "created_at": "2025-03-06T12:00:00+03:00"}
    hold = captured_hold_json(refunded="100.00", refunds=[refund])
    data: dict[str, Any] = {**refund, "hold": hold}
    data.update(overrides)
    return data


def error(status: int, code: str, message: str = "Refused.", **details: Any) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, **details}})


class FakeBank:
    """Answers requests in order from ``answers``; the last answer repeats.

    It does not replay answers by idempotency key: tests read the keys sent in ``requests``.
    """

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers) or [httpx.Response(200, json={})]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def client(self, base_url: str = BASE_URL) -> BankClient:
        transport = httpx.MockTransport(self)
        return BankClient(base_url, CLIENT_ID, SECRET, timeout=2.0, transport=transport)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_json(self) -> Any:
        return json.loads(self.last.content)


def signature_is_valid(request: httpx.Request, secret: str = SECRET) -> bool:
    """Check the request the way the bank does: over the path as Django decodes it from the
    bytes that went on the wire (``request.path``), the query string and the body as sent."""
    raw_path, _, query = request.url.raw_path.decode("ascii").partition("?")
    routed = repercent_broken_unicode(unquote_to_bytes(raw_path)).decode()
    return signing.signature_matches(
        secret=secret,
        signature=request.headers[signing.HEADER_SIGNATURE],
        method=request.method,
        path=signing.routed_target(path=routed, query_string=query),
        timestamp=request.headers[signing.HEADER_TIMESTAMP],
        nonce=request.headers[signing.HEADER_NONCE],
        body=request.content,
    )
