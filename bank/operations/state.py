"""The operations' lifecycles: every allowed status change and who may make it, in one
table per kind of operation (``paylib.lifecycle``).

Nothing else in the code decides whether an operation may move;
``operations.lifecycle.operation_transition`` checks its kind's table under the operation's
row lock and is the only code that writes ``Operation.status``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from paylib.lifecycle import Lifecycle


class Status(models.TextChoices):
    AWAITING_CODE = "awaiting_code", _("Awaiting confirmation code")
    CONFIRMED = "confirmed", _("Confirmed, awaiting execution")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    BLOCKED = "blocked", _("Blocked: too many wrong codes")


class LinkStatus(models.TextChoices):
    """A link's statuses: an operation's but ``confirmed`` (the right code makes the link)."""

    AWAITING_CODE = Status.AWAITING_CODE.value, Status.AWAITING_CODE.label
    DONE = Status.DONE.value, Status.DONE.label
    FAILED = Status.FAILED.value, Status.FAILED.label
    BLOCKED = Status.BLOCKED.value, Status.BLOCKED.label


class Kind(models.TextChoices):
    LINK = "link", _("Account link")
    PAYMENT = "payment", _("Payment")
    HOLD = "hold", _("Hold")


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
    HOLD_TIME_PASSED = "hold_time_passed", _("The time the money could be held for had passed.")
    DECLINED = "declined", _("You declined it.")


C, CU, SY = Role.CLIENT, Role.CUSTOMER, Role.SYSTEM
FINAL = frozenset({Status.DONE, Status.FAILED, Status.BLOCKED})
#: Still waiting for the customer's code or for the platform's execution.
PENDING = frozenset(Status) - FINAL

#: A payment (or a hold request): confirmed by its code, then carried out by the platform
#: with the key.
PAYMENT = Lifecycle(
    name="operation-payment",
    statuses=Status,
    initial=Status.AWAITING_CODE,
    moves={
        # The right code: the platform gets the key to execute the payment.
        (Status.AWAITING_CODE, Status.CONFIRMED): frozenset({C}),
        # The last attempt of a code was wrong.
        (Status.AWAITING_CODE, Status.BLOCKED): frozenset({C}),
        # The customer declines it on the bank's pages, or its codes can no longer be used.
        (Status.AWAITING_CODE, Status.FAILED): frozenset({CU, SY}),
        # Execution moves the money, or fails for good: the ledger refused, the link was
        # revoked or the execute window passed (found by execute or by the periodic sweep),
        # or the customer declined it first.
        (Status.CONFIRMED, Status.DONE): frozenset({C}),
        (Status.CONFIRMED, Status.FAILED): frozenset({C, CU, SY}),
    },
    final=FINAL,
)

#: An account link: made at once by the right code.
LINK = Lifecycle(
    name="operation-link",
    statuses=LinkStatus,
    initial=LinkStatus.AWAITING_CODE,
    moves={
        (LinkStatus.AWAITING_CODE, LinkStatus.DONE): frozenset({C}),
        (LinkStatus.AWAITING_CODE, LinkStatus.BLOCKED): frozenset({C}),
        (LinkStatus.AWAITING_CODE, LinkStatus.FAILED): frozenset({CU, SY}),
    },
    final=frozenset({LinkStatus.DONE, LinkStatus.FAILED, LinkStatus.BLOCKED}),
)

INITIAL = Status.AWAITING_CODE
#: A hold request moves exactly as a payment does: its code confirms it and the platform,
#: with the key, carries it out; ``done`` means the hold is placed (``Operation.hold``),
#: and from there the hold has a lifecycle of its own (``holds.state.HOLD``).
LIFECYCLES: dict[str, Lifecycle[Any]] = {Kind.PAYMENT: PAYMENT, Kind.HOLD: PAYMENT, Kind.LINK: LINK}


def lifecycle_for(kind: str) -> Lifecycle[Any]:
    """The table that decides the moves of an operation of ``kind``."""
    return LIFECYCLES[kind]
