"""Carrying out a confirmed payment: the one place where an operation moves money.

Its checks (the key, the confirmed data, the link, the execute window) are those of placing
a confirmed hold request too (``operations.hold_requests``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from api.models import ApiClient
from ledger.errors import LedgerError
from ledger.models import Posting
from ledger.services import Leg, posting_create

from .codes import operation_key_matches
from .errors import InvalidKey, OperationStateConflict, PaymentDataMismatch
from .lifecycle import execute_window_passed, operation_transition
from .models import AccountLink, Operation, OperationLeg
from .selectors import operation_get_for_client
from .services import Payee
from .state import FailureReason, Role, Status


def confirmed_data_match(
    operation: Operation,
    legs: list[OperationLeg],
    *,
    payer_number: str,
    payees: list[Payee],
    amount: int,
) -> bool:
    """The platform's data are the ones its customer confirmed: payer, amount, payees."""
    confirmed = [(leg.account.number, leg.amount) for leg in legs]
    requested = [(p.account_number, p.amount) for p in payees]
    return (
        operation.account.number == payer_number
        and operation.amount == amount
        and confirmed == requested
    )


def confirmed_operation_lock(
    *,
    client: ApiClient,
    operation_id: str,
    kind: str,
    key: str,
    payer_number: str,
    payees: list[Payee],
    amount: int,
) -> tuple[Operation, list[OperationLeg]]:
    """The client's operation of ``kind`` under its row lock, with its legs, if ``key`` is
    its key and the data are the confirmed ones; refused (nothing done) otherwise.

    Call inside ``transaction.atomic``.
    """
    operation = operation_get_for_client(client=client, operation_id=operation_id, for_update=True)
    if operation.kind != kind or not operation_key_matches(operation, key):
        raise InvalidKey("The key does not match this operation.", field="key")
    legs = list(operation.legs.select_related("account"))  # read once, used twice
    if not confirmed_data_match(
        operation, legs, payer_number=payer_number, payees=payees, amount=amount
    ):
        raise PaymentDataMismatch(
            "The payment data differ from the confirmed operation; nothing was done."
        )
    return operation, legs


def unexecutable_reason(operation: Operation) -> str:
    """Why a confirmed operation can no longer be carried out (a ``FailureReason``), or ""."""
    still_linked = AccountLink.objects.filter(
        client_id=operation.client_id, account_id=operation.account_id, revoked_at__isnull=True
    ).exists()
    if not still_linked:
        return FailureReason.ACCOUNT_NOT_LINKED
    if execute_window_passed(operation, timezone.now()):
        return FailureReason.EXPIRED
    return ""


def operation_execute(
    *,
    client: ApiClient,
    operation_id: str,
    key: str,
    payer_number: str,
    payees: list[Payee],
    amount: int,
) -> Operation:
    """Post the confirmed payment once; repeat calls with the same key return the outcome.

    Lock order: the operation row first, then the accounts in primary-key order
    (inside ``posting_create``). Concurrent calls with one key queue on the operation
    row; the first moves the money, the rest find it done.
    """
    with transaction.atomic():
        operation, legs = confirmed_operation_lock(
            client=client,
            operation_id=operation_id,
            kind=Operation.Kind.PAYMENT,
            key=key,
            payer_number=payer_number,
            payees=payees,
            amount=amount,
        )
        if operation.status in (Status.DONE, Status.FAILED):
            return operation
        if operation.status != Status.CONFIRMED:
            raise OperationStateConflict("This operation is not confirmed.")
        _post(operation, legs)
    return operation


def _post(operation: Operation, legs: list[OperationLeg]) -> None:
    """Move the money, or fail the operation for good with the reason."""
    reason = unexecutable_reason(operation)
    if reason:
        operation_transition(operation, to=Status.FAILED, role=Role.CLIENT, reason=reason)
        return
    movements = [Leg(operation.account_id, -operation.amount)]
    movements += [Leg(leg.account_id, leg.amount) for leg in legs]
    try:
        # A refusal writes nothing (the ledger checks before it writes), so no savepoint.
        posting = posting_create(
            kind=Posting.Kind.PAYMENT,
            description=operation.description or f"Payment {operation.public_id}",
            legs=movements,
        )
    except LedgerError as error:
        operation_transition(operation, to=Status.FAILED, role=Role.CLIENT, reason=error.code)
        return
    operation.posting = posting
    operation_transition(operation, to=Status.DONE, role=Role.CLIENT, fields=["posting"])
