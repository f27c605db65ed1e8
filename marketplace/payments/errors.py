from __future__ import annotations

from paylib.errors import ApplicationError


class PaymentError(ApplicationError):
    """The payment cannot go on as asked; ``message`` is for the buyer."""

    status = 409
    code = "payment_error"


class InsufficientBalance(PaymentError):
    code = "insufficient_funds"


class CodeRejected(PaymentError):
    """The code did not confirm the payment; the buyer may try again or ask for another."""

    status = 422
    code = "invalid_code"


class BankUnreachable(PaymentError):
    status = 503
    code = "bank_unavailable"
