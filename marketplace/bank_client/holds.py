"""The bank client's hold calls (a part of ``BankClient``): money held on the buyer's account
for the seller and the platform until the deal ends, then paid (all or part), released or
refunded.

The flow: ``hold_request`` (the bank emails the buyer a code stating the amount, the payees
and until when the money is held), ``operation_confirm`` with the code (its answer carries
the key), ``hold_place`` with the key and the confirmed data (one hold per request; a
repeat answers the same hold), then ``hold_capture`` or ``hold_void``; the bank expires a
hold whose time is up (``hold_get`` shows it). ``hold_refund`` gives back part or all of a
capture.

Idempotency: ``hold_request`` and ``hold_refund`` take the caller's key, which names the
request or the refund for good: store it before the first call and send it again on every
retry (a refund retried under a new key would give money back twice). The other writes
make a fresh key when given none; a capture or void retried after a lost answer finds the
hold already ended (``already_captured``...) if the first one got through, so read the hold
with ``hold_get`` then.

The bank's refusals, as ``BankRefused.code``: ``hold_not_found``, ``already_captured``,
``already_voided``, ``hold_expired``, ``exceeds_hold_amount``, ``insufficient_funds``,
``refund_exceeds_capture`` (``extra["refundable"]``), ``not_captured``,
``idempotency_conflict``, and those of placing a request that can no longer be carried out
(``insufficient_funds``, ``account_blocked``, ``account_not_available``, ``hold_expired``,
``operation_declined``, ``operation_expired``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

from . import wire
from .types import HoldInfo, OperationInfo, Payee, RefundInfo

T = TypeVar("T")


def path_segment(value: str) -> str:
    """A value as one segment of a path: every reserved character escaped."""
    return quote(str(value), safe="")


class HoldCalls:
    """Mixed into ``BankClient``, which sends the requests (``_call``) and makes keys."""

    def _call(
        self,
        method: str,
        path: str,
        read: Callable[[Any], T],
        payload: Mapping[str, Any] | None = None,
    ) -> T:
        raise NotImplementedError

    def _key(self, idempotency_key: str | None, prefix: str) -> str:
        raise NotImplementedError

    def hold_request(
        self,
        *,
        payer_account: str,
        payees: Sequence[Payee],
        amount: int,
        description: str,
        hold_until: datetime,
        idempotency_key: str,
    ) -> OperationInfo:
        """Ask the payer to let ``amount`` kopecks be held for ``payees`` until the deal
        ends, at most until ``hold_until`` (aware, at most 60 days ahead); the bank emails
        him a code. Answers the ``hold`` operation, awaiting its code."""
        body = {
            "payer_account": payer_account,
            "payees": wire.payees_to_wire(payees),
            "amount": wire.amount_to_wire(amount),
            "description": description,
            "hold_until": wire.datetime_to_wire(hold_until),
            "idempotency_key": idempotency_key,
        }
        return self._call("POST", "/hold-requests/", wire.operation_from_json, body)

    def hold_place(
        self,
        *,
        operation_id: str,
        key: str,
        payer_account: str,
        payees: Sequence[Payee],
        amount: int,
        idempotency_key: str | None = None,
    ) -> HoldInfo:
        """Place the hold of a confirmed request with the key from ``operation_confirm`` and
        the confirmed data; the money is then held (``pending``)."""
        body = {
            "key": key,
            "payer_account": payer_account,
            "payees": wire.payees_to_wire(payees),
            "amount": wire.amount_to_wire(amount),
            "idempotency_key": self._key(idempotency_key, "place"),
        }
        path = f"/operations/{path_segment(operation_id)}/place/"
        return self._call("POST", path, wire.hold_from_json, body)

    def hold_capture(
        self, *, hold_id: str, amount: int | None = None, idempotency_key: str | None = None
    ) -> HoldInfo:
        """Pay the payees all of the hold, or ``amount`` kopecks of it shared in their
        confirmed proportion (the bank's rounding: the largest remainder; the shares add
        up to the amount); the rest goes back to the payer at once."""
        body: dict[str, Any] = {"idempotency_key": self._key(idempotency_key, "capture")}
        if amount is not None:
            body["amount"] = wire.amount_to_wire(amount)
        path = f"/holds/{path_segment(hold_id)}/capture/"
        return self._call("POST", path, wire.hold_from_json, body)

    def hold_void(self, *, hold_id: str, idempotency_key: str | None = None) -> HoldInfo:
        """Release the whole hold: the money is the payer's to spend again."""
        body = {"idempotency_key": self._key(idempotency_key, "void")}
        return self._call(
            "POST", f"/holds/{path_segment(hold_id)}/void/", wire.hold_from_json, body
        )

    def hold_refund(self, *, hold_id: str, amount: int, idempotency_key: str) -> RefundInfo:
        """Give ``amount`` kopecks of a capture back to the payer, taken from the payees in
        the captured proportion; refused whole if a payee's available balance does not
        cover his share. The key names the refund for good (see the module docstring)."""
        body = {"amount": wire.amount_to_wire(amount), "idempotency_key": idempotency_key}
        path = f"/holds/{path_segment(hold_id)}/refunds/"
        return self._call("POST", path, wire.refund_from_json, body)

    def hold_get(self, *, hold_id: str) -> HoldInfo:
        """The hold as it stands; one whose time is up is expired by this very read."""
        return self._call("GET", f"/holds/{path_segment(hold_id)}/", wire.hold_from_json)
