from __future__ import annotations

from paylib.errors import ApplicationError


class OperationNotFound(ApplicationError):
    status = 404
    code = "not_found"


class LinkNotFound(ApplicationError):
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


class OperationDeclined(ApplicationError):
    """The customer declined the operation on the bank's pages; it is over for good."""

    status = 409
    code = "operation_declined"


class OperationExpired(ApplicationError):
    """The operation ended unused: its codes ran out, or its execute window passed."""

    status = 409
    code = "operation_expired"


class AccountCodesBlocked(ApplicationError):
    """Too many wrong codes for the payer's account lately: no codes are sent or checked
    until the window slides past them or its owner lifts the block on the bank's pages."""

    status = 429
    code = "account_codes_blocked"


class ClientCodesThrottled(ApplicationError):
    """Too many wrong codes from this API client lately; ``retry_after`` seconds."""

    status = 429
    code = "client_codes_throttled"


class CodeEmailLimit(ApplicationError):
    """The account was sent too many codes that nobody used; ``retry_after`` seconds."""

    status = 429
    code = "code_email_limit"
