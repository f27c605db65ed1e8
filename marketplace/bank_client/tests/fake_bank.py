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
