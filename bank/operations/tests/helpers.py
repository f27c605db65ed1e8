from __future__ import annotations

from typing import Any

from django.core import mail

from conftest import SignedClient
from ledger.models import Account
from paylib.smtp_catcher import extract_code


def last_code(to: str | None = None) -> str:
    """The code in the newest code email (to ``to``, if given) in Django's test outbox."""
    for message in reversed(mail.outbox):
        if to is None or to in message.to:
            try:
                return extract_code(str(message.body))
            except ValueError:
                continue  # another kind of letter
    raise AssertionError("no code email was sent")


def payment_body(accounts: dict[str, Account], **changes: Any) -> dict[str, Any]:
    body = {
        "idempotency_key": "deal-7-attempt-1",
        "payer_account": accounts["payer"].number,
        "payees": [
            {"account": accounts["seller"].number, "amount": "237.50"},
            {"account": accounts["platform"].number, "amount": "12.50"},
        ],
        "amount": "250.00",
        "description": "Deal #7: two chairs",
    }
    body.update(changes)
    return body


def execute_body(accounts: dict[str, Account], key: str, **changes: Any) -> dict[str, Any]:
    body = payment_body(accounts)
    body = {k: body[k] for k in ("payer_account", "payees", "amount")}
    return {**body, "key": key, **changes}


def start(api: SignedClient, accounts: dict[str, Account]) -> str:
    response = api.post("/api/v1/payments/", payment_body(accounts))
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def confirm(api: SignedClient, op: str, code: str) -> Any:
    return api.post(f"/api/v1/operations/{op}/confirm/", {"code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def balances(accounts: dict[str, Account]) -> dict[str, int]:
    return {name: Account.objects.get(pk=a.pk).balance for name, a in accounts.items()}


def start_with(api: SignedClient, accounts: dict[str, Account], key: str) -> str:
    response = api.post("/api/v1/payments/", payment_body(accounts, idempotency_key=key))
    assert response.status_code == 201, response.content
    return str(response.json()["id"])
