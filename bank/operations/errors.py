from __future__ import annotations

from paylib.errors import ApplicationError


class OperationNotFound(ApplicationError):
    status = 404
    code = "not_found"


class IdempotencyConflict(ApplicationError):
    status = 409
    code = "idempotency_conflict"


class AccountNotAvailable(ApplicationError):
    """The account does not exist, is not linked to the client, or is blocked."""

    status = 422
    code = "account_not_available"


class InvalidCode(ApplicationError):
    status = 422
    code = "invalid_code"


class CodeExpired(ApplicationError):
    status = 422
    code = "code_expired"


class OperationBlocked(ApplicationError):
    status = 409
    code = "operation_blocked"


class OperationStateConflict(ApplicationError):
    status = 409
    code = "wrong_state"


class ResendTooSoon(ApplicationError):
    status = 429
    code = "resend_too_soon"


class InvalidKey(ApplicationError):
    status = 403
    code = "invalid_key"


class PaymentDataMismatch(ApplicationError):
    status = 409
    code = "data_mismatch"
