"""The operation's lifecycle: every allowed status change, who may make it, in one table.

Nothing else in the code decides whether an operation may move;
``operations.lifecycle.operation_transition`` checks this table under the operation's row
lock and is the only code that writes ``Operation.status``.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import OperationStateConflict


class Status(models.TextChoices):
    AWAITING_CODE = "awaiting_code", _("Awaiting confirmation code")
    CONFIRMED = "confirmed", _("Confirmed, awaiting execution")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    BLOCKED = "blocked", _("Blocked: too many wrong codes")


class Kind(models.TextChoices):
    LINK = "link", _("Account link")
    PAYMENT = "payment", _("Payment")


class Role(models.TextChoices):
    CLIENT = "client", _("API client")  # with the customer's code, or the payment's key
    CUSTOMER = "customer", _("Customer")  # on the bank's pages
    SYSTEM = "system", _("System")  # the bank's periodic tasks


class FailureReason(models.TextChoices):
    """Why a failed operation ended, stored in ``failure_reason``; the labels are what the
    customer reads on his operations page (the one map from reason codes to words)."""

    INSUFFICIENT_FUNDS = "insufficient_funds", _("The balance did not cover the payment.")
    ACCOUNT_BLOCKED = "account_blocked", _("An account of the payment is blocked.")
    ACCOUNT_NOT_LINKED = "account_not_linked", _("The account is no longer linked to the platform.")
    EXPIRED = "expired", _("The platform did not carry the payment out in time.")
    CODE_EXPIRED = "code_expired", _("No confirmation code was entered in time.")
    DECLINED = "declined", _("You declined it.")


class Move(NamedTuple):
    roles: frozenset[Role]
    kinds: frozenset[Kind]


C, CU, SY = Role.CLIENT, Role.CUSTOMER, Role.SYSTEM
BOTH = frozenset(Kind)
PAYMENT = frozenset({Kind.PAYMENT})
LINK = frozenset({Kind.LINK})

#: (from, to) -> who may make the move, and for which kinds of operation.
TRANSITIONS: dict[tuple[Status, Status], Move] = {
    # The right code: a payment waits for its execution, a link is made at once.
    (Status.AWAITING_CODE, Status.CONFIRMED): Move(frozenset({C}), PAYMENT),
    (Status.AWAITING_CODE, Status.DONE): Move(frozenset({C}), LINK),
    # The last attempt of a code was wrong.
    (Status.AWAITING_CODE, Status.BLOCKED): Move(frozenset({C}), BOTH),
    # The customer declines it on the bank's pages, or its codes can no longer be used.
    (Status.AWAITING_CODE, Status.FAILED): Move(frozenset({CU, SY}), BOTH),
    # Execution moves the money, or fails for good: the ledger refused, the link was
    # revoked, the execute window passed (found by execute or by the periodic sweep), or
    # the customer declined it first.
    (Status.CONFIRMED, Status.DONE): Move(frozenset({C}), PAYMENT),
    (Status.CONFIRMED, Status.FAILED): Move(frozenset({C, CU, SY}), PAYMENT),
}

INITIAL = Status.AWAITING_CODE
FINAL = frozenset({Status.DONE, Status.FAILED, Status.BLOCKED})
#: Still waiting for the customer's code or for the platform's execution.
PENDING = frozenset(Status) - FINAL


class IllegalTransition(OperationStateConflict):
    """The move is not in the table, or not for this role or kind. Nothing was changed."""


def is_allowed(kind: str, current: str, to: str, role: str) -> bool:
    if current not in Status.values or to not in Status.values:
        return False
    move = TRANSITIONS.get((Status(current), Status(to)))
    return move is not None and role in move.roles and kind in move.kinds


def check_transition(kind: str, current: str, to: str, role: str) -> None:
    if not is_allowed(kind, current, to, role):
        raise IllegalTransition(
            f"An operation cannot go from {current!r} to {to!r} by the {role}.",
            extra={"from": current, "to": to},
        )


def targets_for(kind: str, current: str, role: str) -> list[Status]:
    """Where ``role`` may move an operation of ``kind`` from ``current``, in table order."""
    return [t for (s, t) in TRANSITIONS if s == current and is_allowed(kind, s, t, role)]
