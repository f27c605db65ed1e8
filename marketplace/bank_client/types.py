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
    """An account link, a payment or a hold request as the bank reports it.

    ``kind`` is ``link``, ``payment`` or ``hold``; ``status`` one of ``awaiting_code``,
    ``confirmed``, ``done``, ``failed``, ``blocked``; ``amount`` is 0 for links.
    ``failure_reason`` says why it failed (``insufficient_funds``, ``declined``...).
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
    #: A hold request's: the latest moment the money may stay held; None for others.
    hold_until: datetime | None = None
    #: A hold request's hold, once placed (``BankClient.hold_place``).
    hold_id: str | None = None

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


#: Statuses after which a hold never changes again (only refunds follow a capture).
HOLD_FINAL_STATUSES = frozenset({"captured", "voided", "expired"})


@dataclass(frozen=True)
class HoldPayee:
    """A payee of a hold: his part of it, of its capture and of the refunds since (kopecks)."""

    account: str
    amount: int
    captured: int
    refunded: int


@dataclass(frozen=True)
class HoldRefund:
    """One refund of a hold, as the hold lists them (oldest first)."""

    id: str
    amount: int  # kopecks
    created_at: datetime


@dataclass(frozen=True)
class HoldInfo:
    """Money held on the payer's account for the payees, as the bank reports it.

    ``status`` is ``pending`` until exactly one of ``captured`` (``captured`` kopecks paid to
    the payees, ``released`` back to the payer), ``voided`` or ``expired`` (all released).
    A captured hold may be refunded, up to ``captured - refunded``.
    """

    id: str
    operation_id: str | None
    status: str
    account: str
    amount: int  # kopecks
    payees: tuple[HoldPayee, ...]
    description: str
    expires_at: datetime
    created_at: datetime
    resolved_at: datetime | None
    captured: int
    released: int
    refunded: int
    refunds: tuple[HoldRefund, ...]

    @property
    def is_final(self) -> bool:
        return self.status in HOLD_FINAL_STATUSES

    @property
    def refundable(self) -> int:
        return self.captured - self.refunded


@dataclass(frozen=True)
class RefundInfo:
    """A refund of a captured hold, with the hold as it stands after it."""

    id: str
    amount: int  # kopecks
    created_at: datetime
    hold: HoldInfo
