"""The one place in the marketplace that speaks HTTP to the bank (see ``client``)."""

from .client import BankClient, get_bank_client, new_idempotency_key
from .errors import BankError, BankRefused, BankUnavailable
from .types import (
    Balance,
    Confirmation,
    HoldInfo,
    HoldPayee,
    HoldRefund,
    OperationInfo,
    Payee,
    RefundInfo,
)

__all__ = [
    "Balance",
    "BankClient",
    "BankError",
    "BankRefused",
    "BankUnavailable",
    "Confirmation",
    "HoldInfo",
    "HoldPayee",
    "HoldRefund",
    "OperationInfo",
    "Payee",
    "RefundInfo",
    "get_bank_client",
    "new_idempotency_key",
]
