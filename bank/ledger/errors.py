from __future__ import annotations

from paylib.errors import ApplicationError


class LedgerError(ApplicationError):
    """A movement of money that the ledger refuses; nothing was written."""

    status = 422
    code = "ledger_error"


class UnbalancedPosting(LedgerError):
    code = "unbalanced_posting"


class InsufficientFunds(LedgerError):
    code = "insufficient_funds"


class AccountBlocked(LedgerError):
    code = "account_blocked"
