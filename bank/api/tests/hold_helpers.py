"""Requests of the hold tests, for the in-process signed client and the live one alike
(both have ``post(path, body)`` and answers with ``status_code`` and ``json()``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.utils import timezone

from ledger.models import Account
from operations.tests.helpers import last_code


class Poster(Protocol):
    def post(self, path: str, data: Any) -> Any: ...


def until(days: float = 14) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def hold_data(
    accounts: dict[str, Account], seller: str = "950.00", platform: str = "50.00"
) -> dict[str, Any]:
    """The payer, the payees (the seller's net, the platform's commission) and the total."""
    total = str(Decimal(seller) + Decimal(platform))
    return {
        "payer_account": accounts["payer"].number,
        "payees": [
            {"account": accounts["seller"].number, "amount": seller},
            {"account": accounts["platform"].number, "amount": platform},
        ],
        "amount": total,
    }


def request_hold(
    api: Poster,
    accounts: dict[str, Account],
    *,
    key: str = "deal-9:hold",
    hold_until: str | None = None,
    **amounts: str,
) -> Any:
    body = {
        **hold_data(accounts, **amounts),
        "description": "Deal #9: a samovar",
        "hold_until": hold_until or until(),
        "idempotency_key": key,
    }
    return api.post("/api/v1/hold-requests/", body)


def confirmed_hold_request(
    api: Poster, accounts: dict[str, Account], *, key: str = "deal-9:hold", **amounts: str
) -> tuple[str, str]:
    """A hold request confirmed by the code from its email: its id and its key."""
    created = request_hold(api, accounts, key=key, **amounts)
    assert created.status_code == 201, created.content
    op = str(created.json()["id"])
    confirmed = api.post(
        f"/api/v1/operations/{op}/confirm/",
        {"code": last_code(accounts["payer"].customer.email), "idempotency_key": f"{key}:c"},  # type: ignore[union-attr]
    )
    assert confirmed.status_code == 200, confirmed.content
    return op, str(confirmed.json()["key"])


def place(
    api: Poster,
    accounts: dict[str, Account],
    op: str,
    key: str,
    *,
    idempotency_key: str = "deal-9:place",
    **amounts: str,
) -> Any:
    body = {**hold_data(accounts, **amounts), "key": key, "idempotency_key": idempotency_key}
    return api.post(f"/api/v1/operations/{op}/place/", body)


def placed_hold(
    api: Poster, accounts: dict[str, Account], *, key: str = "deal-9:hold", **amounts: str
) -> str:
    """The id of a hold placed through the whole flow: request, code, confirm, place."""
    op, operation_key = confirmed_hold_request(api, accounts, key=key, **amounts)
    placed = place(api, accounts, op, operation_key, idempotency_key=f"{key}:p", **amounts)
    assert placed.status_code == 201, placed.content
    return str(placed.json()["id"])


def capture(api: Poster, hold: str, amount: str | None = None, *, key: str = "capture-1") -> Any:
    body = (
        {"idempotency_key": key} if amount is None else {"amount": amount, "idempotency_key": key}
    )
    return api.post(f"/api/v1/holds/{hold}/capture/", body)


def void(api: Poster, hold: str, *, key: str = "void-0001") -> Any:
    return api.post(f"/api/v1/holds/{hold}/void/", {"idempotency_key": key})


def refund(api: Poster, hold: str, amount: str, *, key: str = "refund-1") -> Any:
    return api.post(f"/api/v1/holds/{hold}/refunds/", {"amount": amount, "idempotency_key": key})


def error_code(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]
