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


class PostingRefused(Exception):
    """A posting made under ``ledger.services.postings_last`` was refused when the
    transaction wrote it, after the caller had done its work assuming it would stand.

    Not an answer to anyone: the caller rolls its whole transaction back and does the work
    again without ``postings_last``, where the refusal (``error``) comes from
    ``posting_create`` itself and is handled as any refusal is.
    """

    def __init__(self, error: LedgerError) -> None:
        super().__init__(str(error))
        self.error = error
