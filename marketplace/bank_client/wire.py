"""JSON to and from the bank: amounts as decimal strings ("1250.00"), kopecks inside."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from paylib.money import AmountError, format_amount, parse_amount

from .types import (
    Balance,
    Confirmation,
    HoldInfo,
    HoldPayee,
    HoldRefund,
    OperationInfo,
    Payee,
    RefundInfo,
)

T = TypeVar("T")


class BadAnswer(ValueError):
    """A success answer that does not have the shape the bank's API promises."""


def to_json_bytes(payload: Mapping[str, Any]) -> bytes:
    """Serialise once: the signature covers exactly these bytes."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def amount_to_wire(kopecks: int) -> str:
    if not isinstance(kopecks, int) or isinstance(kopecks, bool):
        raise TypeError(f"Amounts are integer kopecks, got {kopecks!r}")
    return format_amount(kopecks)


def payees_to_wire(payees: Sequence[Payee]) -> list[dict[str, str]]:
    return [{"account": p.account, "amount": amount_to_wire(p.amount)} for p in payees]


def datetime_to_wire(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"A moment for the bank needs a timezone, got {moment!r}")
    return moment.isoformat()


def amount_from_wire(value: Any) -> int:
    """Kopecks from "1250.00"; unlike ``parse_amount`` accepts zero (links, empty balances)."""
    if not isinstance(value, str):
        raise BadAnswer(f"an amount must be a string, got {value!r}")
    try:
        if Decimal(value) == 0:
            return 0
        return parse_amount(value)
    except (InvalidOperation, AmountError) as error:
        raise BadAnswer(f"bad amount {value!r}: {error}") from None


def _get(data: Mapping[str, Any], key: str, kind: type[T]) -> T:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BadAnswer(f"{key!r} should be {kind.__name__}, got {value!r}")
    return value


def _datetime(data: Mapping[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(_get(data, key, str))
    except ValueError:
        raise BadAnswer(f"{key!r} is not an ISO 8601 datetime: {value!r}") from None
    if moment.tzinfo is None:
        raise BadAnswer(f"{key!r} has no timezone: {value!r}")
    return moment.astimezone(UTC)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadAnswer(f"{what} should be an object, got {value!r}")
    return value


def operation_from_json(value: Any) -> OperationInfo:
    data = _mapping(value, "the operation")
    payees = []
    for item in _get(data, "payees", list):
        payee = _mapping(item, "a payee")
        payees.append(Payee(_get(payee, "account", str), amount_from_wire(payee.get("amount"))))
    return OperationInfo(
        id=_get(data, "id", str),
        kind=_get(data, "kind", str),
        status=_get(data, "status", str),
        account=_get(data, "account", str),
        amount=amount_from_wire(data.get("amount")),
        payees=tuple(payees),
        description=_get(data, "description", str),
        code_expires_at=_datetime(data, "code_expires_at"),
        attempts_left=_get(data, "attempts_left", int),
        code_sends=_get(data, "code_sends", int),
        failure_reason=_get(data, "failure_reason", str),
        finished_at=_datetime(data, "finished_at"),
        hold_until=_datetime(data, "hold_until"),
        hold_id=_optional_str(data, "hold"),
    )


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    return None if data.get(key) is None else _get(data, key, str)


def _required_datetime(data: Mapping[str, Any], key: str) -> datetime:
    moment = _datetime(data, key)
    if moment is None:
        raise BadAnswer(f"{key!r} is missing")
    return moment


def _hold_refund(value: Any) -> HoldRefund:
    data = _mapping(value, "a refund")
    return HoldRefund(
        id=_get(data, "id", str),
        amount=amount_from_wire(data.get("amount")),
        created_at=_required_datetime(data, "created_at"),
    )


def _hold_payee(value: Any) -> HoldPayee:
    data = _mapping(value, "a payee")
    return HoldPayee(
        account=_get(data, "account", str),
        amount=amount_from_wire(data.get("amount")),
        captured=amount_from_wire(data.get("captured")),
        refunded=amount_from_wire(data.get("refunded")),
    )


def hold_from_json(value: Any) -> HoldInfo:
    data = _mapping(value, "the hold")
    return HoldInfo(
        id=_get(data, "id", str),
        operation_id=_optional_str(data, "operation"),
        status=_get(data, "status", str),
        account=_get(data, "account", str),
        amount=amount_from_wire(data.get("amount")),
        payees=tuple(_hold_payee(item) for item in _get(data, "payees", list)),
        description=_get(data, "description", str),
        expires_at=_required_datetime(data, "expires_at"),
        created_at=_required_datetime(data, "created_at"),
        resolved_at=_datetime(data, "resolved_at"),
        captured=amount_from_wire(data.get("captured")),
        released=amount_from_wire(data.get("released")),
        refunded=amount_from_wire(data.get("refunded")),
        refunds=tuple(_hold_refund(item) for item in _get(data, "refunds", list)),
    )


def refund_from_json(value: Any) -> RefundInfo:
    data = _mapping(value, "the refund")
    return RefundInfo(
        id=_get(data, "id", str),
        amount=amount_from_wire(data.get("amount")),
        created_at=_required_datetime(data, "created_at"),
        hold=hold_from_json(data.get("hold")),
    )


def confirmation_from_json(value: Any) -> Confirmation:
    data = _mapping(value, "the confirmation")
    key = data.get("key")
    if key is not None and not isinstance(key, str):
        raise BadAnswer(f"'key' should be a string or null, got {key!r}")
    return Confirmation(operation=operation_from_json(data.get("operation")), key=key)


def balance_from_json(value: Any) -> Balance:
    data = _mapping(value, "the balance")
    return Balance(
        account=_get(data, "account", str),
        available=amount_from_wire(data.get("available")),
        currency=_get(data, "currency", str),
    )
