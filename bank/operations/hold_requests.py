"""Hold requests: money held for a deal's payees, authorised by the payer's emailed code.

A hold request is an operation of kind ``hold``: asked for, checked and confirmed exactly
as a payment is (``services.money_request``, the same codes, budgets, resends and decline),
its code email stating that the money will be held until the deal ends, at most until
``hold_until``. With the key from the confirm the platform places the hold
(``hold_place_confirmed``), as it executes a payment; from then on the hold has a life of
its own (``holds.services``: capture, void, expiry, refunds).

Lock order: the operation's row, then the payer's account (inside ``holds.services``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from api.models import ApiClient
from holds.errors import HoldExpired
from holds.models import Hold
from holds.services import Payee as HoldPayee
from holds.services import hold_place
from ledger.errors import AccountBlocked, InsufficientFunds, LedgerError
from paylib.errors import ApplicationError

from .errors import (
    AccountNotAvailable,
    OperationDeclined,
    OperationExpired,
    OperationStateConflict,
)
from .execution import confirmed_operation_lock, unexecutable_reason
from .lifecycle import operation_transition
from .models import Operation, OperationLeg
from .services import Payee, money_request
from .state import FailureReason, Role, Status

#: What placing the hold of a failed request answers, by the request's failure reason.
_REFUSALS: dict[str, tuple[type[ApplicationError], str]] = {
    FailureReason.INSUFFICIENT_FUNDS: (
        InsufficientFunds,
        "The payer's available balance did not cover the hold.",
    ),
    FailureReason.ACCOUNT_BLOCKED: (AccountBlocked, "The payer's account is blocked."),
    FailureReason.ACCOUNT_NOT_LINKED: (
        AccountNotAvailable,
        "The payer's account is no longer linked to your platform.",
    ),
    FailureReason.HOLD_TIME_PASSED: (HoldExpired, "The time the money could be held for passed."),
    FailureReason.EXPIRED: (OperationExpired, "This hold request was not carried out in time."),
    FailureReason.CODE_EXPIRED: (OperationExpired, "This hold request's codes were never used."),
    FailureReason.DECLINED: (OperationDeclined, "The customer declined this hold request."),
}


def hold_request(
    *,
    client: ApiClient,
    payer_number: str,
    payees: list[Payee],
    amount: int,
    description: str,
    hold_until: datetime,
    idempotency_key: str,
) -> tuple[Operation, bool]:
    """Ask the payer, by emailed code, to let ``amount`` be held for the payees until the
    deal ends, at most until ``hold_until`` (the API keeps it within ``HOLD_MAX_DAYS``)."""
    return money_request(
        kind=Operation.Kind.HOLD,
        client=client,
        payer_number=payer_number,
        payees=payees,
        amount=amount,
        description=description,
        idempotency_key=idempotency_key,
        hold_until=hold_until,
    )


def hold_place_confirmed(
    *,
    client: ApiClient,
    operation_id: str,
    key: str,
    payer_number: str,
    payees: list[Payee],
    amount: int,
) -> tuple[Hold, bool]:
    """Place the hold of a confirmed request; the hold and whether this call placed it.

    One hold per request: a repeat with the key returns the hold placed first. A request
    that cannot be carried out fails for good (the available balance no longer covers it,
    the account was blocked or unlinked, its time passed) and this, and every repeat,
    raises the reason; the failure is committed first.
    """
    with transaction.atomic():
        operation, legs = confirmed_operation_lock(
            client=client,
            operation_id=operation_id,
            kind=Operation.Kind.HOLD,
            key=key,
            payer_number=payer_number,
            payees=payees,
            amount=amount,
        )
        if operation.status == Status.DONE:
            return _placed(operation), False
        if operation.status == Status.CONFIRMED:
            _place(operation, legs)
        elif operation.status != Status.FAILED:
            raise OperationStateConflict("This hold request is not confirmed.")
    if operation.status == Status.FAILED:
        raise _refusal(operation.failure_reason)
    return _placed(operation), True


def _placed(operation: Operation) -> Hold:
    hold = operation.hold
    assert hold is not None  # a done hold request has its hold (a database constraint)
    return hold


def _place(operation: Operation, legs: list[OperationLeg]) -> None:
    """Hold the money and mark the request done, or fail it for good with the reason."""
    reason = unexecutable_reason(operation)
    assert operation.hold_until is not None  # a database constraint of hold requests
    if not reason and operation.hold_until <= timezone.now():
        reason = FailureReason.HOLD_TIME_PASSED
    if not reason:
        try:
            with transaction.atomic():
                hold = hold_place(
                    client=operation.client,
                    account_id=operation.account_id,
                    payees=[HoldPayee(leg.account_id, leg.amount) for leg in legs],
                    description=operation.description,
                    expires_at=operation.hold_until,
                )
        except LedgerError as error:
            reason = error.code
    if reason:
        operation_transition(operation, to=Status.FAILED, role=Role.CLIENT, reason=reason)
        return
    operation.hold = hold
    operation_transition(operation, to=Status.DONE, role=Role.CLIENT, fields=["hold"])


def _refusal(reason: str) -> ApplicationError:
    error, message = _REFUSALS.get(
        reason, (OperationStateConflict, "This hold request has failed.")
    )
    return error(message)
