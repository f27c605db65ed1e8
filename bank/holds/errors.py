from __future__ import annotations

from paylib.errors import ApplicationError


class HoldError(ApplicationError):
    status = 409
    code = "hold_error"


class HoldNotFound(HoldError):
    status = 404
    code = "hold_not_found"


class AlreadyCaptured(HoldError):
    code = "already_captured"


class AlreadyVoided(HoldError):
    code = "already_voided"


class HoldExpired(HoldError):
    code = "hold_expired"


class ExceedsHoldAmount(HoldError):
    status = 422
    code = "exceeds_hold_amount"


class NotCaptured(HoldError):
    code = "not_captured"


class RefundExceedsCapture(HoldError):
    status = 422
    code = "refund_exceeds_capture"
