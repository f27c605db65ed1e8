"""The requests the idempotency tests send for a payer and a seller (the `accounts` fixture)."""

from __future__ import annotations

from typing import Any

from conftest import SignedClient
from ledger.models import Account
from operations.models import Operation


def payment(accounts: dict[str, Account], key: str = "deal-1:pay", amount: str = "100.00") -> Any:
    return {
        "idempotency_key": key,
        "payer_account": accounts["payer"].number,
        "payees": [{"account": accounts["seller"].number, "amount": amount}],
        "amount": amount,
        "description": "Deal 1",
    }


def start(api: SignedClient, accounts: dict[str, Account]) -> str:
    response = api.post("/api/v1/payments/", payment(accounts))
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def confirm(api: SignedClient, op: str, code: str, key: str) -> Any:
    return api.post(f"/api/v1/operations/{op}/confirm/", {"code": code, "idempotency_key": key})


def execute_body(accounts: dict[str, Account], key: str, idempotency_key: str) -> Any:
    body = payment(accounts, key=idempotency_key)
    del body["description"]
    return {**body, "key": key}


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def operation(op: str) -> Operation:
    return Operation.objects.get(public_id=op)
