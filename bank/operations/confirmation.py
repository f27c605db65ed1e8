"""What checking a code does to an operation: refuse it, accept it, or count it wrong."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from paylib.errors import ApplicationError

from .budget import wrong_code_record
from .codes import hash_operation_key, make_operation_key
from .errors import (
    InvalidCode,
    OperationBlocked,
    OperationDeclined,
    OperationExpired,
    OperationStateConflict,
)
from .lifecycle import operation_transition
from .models import AccountLink, CodeBudget, Operation
from .state import FailureReason, Role, Status

#: Why a failed operation takes no code, by its failure reason, as the platform is told.
_ENDED: dict[str, tuple[type[ApplicationError], str]] = {
    FailureReason.DECLINED: (OperationDeclined, "The customer declined this operation."),
    FailureReason.CODE_EXPIRED: (OperationExpired, "This operation's codes can no longer be used."),
    FailureReason.EXPIRED: (OperationExpired, "This operation was not executed in time."),
}


def refuse_unless_awaiting_code(operation: Operation) -> None:
    """Raise the named reason why ``operation`` takes no code (confirm, resend), if any."""
    if operation.status == Status.AWAITING_CODE:
        return
    if operation.status == Status.BLOCKED:
        raise OperationBlocked("Too many wrong codes: this operation is blocked.")
    if operation.status == Status.FAILED and operation.failure_reason in _ENDED:
        error, message = _ENDED[operation.failure_reason]
        raise error(message)
    raise OperationStateConflict("This operation is not waiting for a code.")


def code_accept(operation: Operation) -> str | None:
    """The right code: a link is made at once; a payment gets its key, returned once."""
    operation.confirmed_at = timezone.now()
    if operation.kind == Operation.Kind.LINK:
        AccountLink.objects.get_or_create(
            client=operation.client, account=operation.account, revoked_at=None
        )
        operation_transition(operation, to=Status.DONE, role=Role.CLIENT, fields=["confirmed_at"])
        return None
    key = make_operation_key()
    operation.key_hash = hash_operation_key(key)
    operation_transition(
        operation, to=Status.CONFIRMED, role=Role.CLIENT, fields=["key_hash", "confirmed_at"]
    )
    return key


def code_reject(operation: Operation, budget: CodeBudget, now: datetime) -> Exception:
    """A wrong code: count it for the code and for the account; the error to raise after
    the commit (the count must stay)."""
    wrong_code_record(budget, operation, now)
    operation.code_attempts_left = max(operation.code_attempts_left - 1, 0)
    if operation.code_attempts_left == 0:
        operation_transition(
            operation, to=Status.BLOCKED, role=Role.CLIENT, fields=["code_attempts_left"]
        )
        return OperationBlocked("Too many wrong codes: this operation is blocked.")
    operation.save(update_fields=["code_attempts_left"])
    return InvalidCode(
        "The code is not right.",
        field="code",
        extra={"attempts_left": operation.code_attempts_left},
    )
