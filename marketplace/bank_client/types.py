"""What the bank answers, as typed values: amounts in kopecks, datetimes timezone-aware."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: Statuses after which an operation never changes again.
FINAL_STATUSES = frozenset({"done", "failed", "blocked"})


@dataclass(frozen=True)
class Payee:
    """``amount`` kopecks that a payment credits to ``account``."""

    account: str
    amount: int


@dataclass(frozen=True)
class OperationInfo:
    """An account link or a payment as the bank reports it.

    ``status`` is one of ``awaiting_code``, ``confirmed``, ``done``, ``failed``, ``blocked``;
    ``amount`` is 0 for links. ``failure_reason`` is the ledger's code when a payment failed.
    """

    id: str
    kind: str
    status: str
    account: str
    amount: int  # kopecks
    payees: tuple[Payee, ...]
    description: str
    code_expires_at: datetime | None
    attempts_left: int
    code_sends: int
    failure_reason: str
    finished_at: datetime | None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class Balance:
    account: str
    available: int  # kopecks
    currency: str


@dataclass(frozen=True)
class Confirmation:
    """A confirmed operation; ``key`` authorises executing a payment and is None for links.

    The bank shows the key only in this answer: store it before anything else.
    """

    operation: OperationInfo
    key: str | None
