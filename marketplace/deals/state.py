"""The deal's lifecycle: every allowed status change and who may make it, in one table.

Nothing else in the code decides whether a deal may move; ``deals.services.deal_transition``
checks this table under a row lock and records each move as a ``DealTransition``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from paylib.errors import ApplicationError


class Status(models.TextChoices):
    CREATED = "created", _("Awaiting payment")
    AWAITING_CODE = "awaiting_code", _("Awaiting confirmation code")
    PROCESSING = "processing", _("Payment processing")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    PAID = "paid", _("Paid")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    STAFF = "staff", _("Staff")
    SYSTEM = "system", _("System")


B, S, ST, SY = Role.BUYER, Role.SELLER, Role.STAFF, Role.SYSTEM

#: (from, to) -> the roles that may make this move.
TRANSITIONS: dict[tuple[Status, Status], frozenset[Role]] = {
    # The buyer starts paying: the bank emails him a code.
    (Status.CREATED, Status.AWAITING_CODE): frozenset({B}),
    # The code expired or too many wrong codes: back to waiting for payment.
    (Status.AWAITING_CODE, Status.CREATED): frozenset({SY}),
    # The code matched; a task asks the bank to carry the payment out.
    (Status.AWAITING_CODE, Status.PROCESSING): frozenset({SY}),
    (Status.PROCESSING, Status.PAID): frozenset({SY}),
    (Status.PROCESSING, Status.PAYMENT_FAILED): frozenset({SY}),
    # After a failure the buyer may try again.
    (Status.PAYMENT_FAILED, Status.AWAITING_CODE): frozenset({B}),
    # The buyer confirms he received the goods; staff settle disputes.
    (Status.PAID, Status.COMPLETED): frozenset({B, ST}),
    # Either party, or staff, may call off a deal that is not paid.
    (Status.CREATED, Status.CANCELLED): frozenset({B, S, ST}),
    (Status.AWAITING_CODE, Status.CANCELLED): frozenset({B, S, ST}),
    (Status.PAYMENT_FAILED, Status.CANCELLED): frozenset({B, S, ST}),
    # Unpaid deals run out of time (DEAL_PAYMENT_WINDOW), a buyer gone from the code
    # page included: his payment ends in the same transaction (payments.services).
    (Status.CREATED, Status.EXPIRED): frozenset({SY}),
    (Status.PAYMENT_FAILED, Status.EXPIRED): frozenset({SY}),
    (Status.AWAITING_CODE, Status.EXPIRED): frozenset({SY}),
}

FINAL = frozenset({Status.COMPLETED, Status.CANCELLED, Status.EXPIRED})
#: Moving into these gives the reserved quantity back to the offer.
RELEASES_QUANTITY = frozenset({Status.CANCELLED, Status.EXPIRED})
#: Deals in these expire by themselves when their payment window has passed
#: (``deals_expire_unpaid``); one awaiting the code expires with its payment, which
#: ``payments.services.payments_end_with_deals`` ends in the same transaction.
EXPIRABLE = frozenset(s for (s, t) in TRANSITIONS if t == Status.EXPIRED) - {Status.AWAITING_CODE}
#: Open and not paid: each holds its quantity reserved. A buyer may have at most
#: ``DEAL_OPEN_UNPAID_PER_BUYER`` of them (``deals.services.deal_create``).
OPEN_UNPAID = frozenset({Status.CREATED, Status.AWAITING_CODE, Status.PAYMENT_FAILED})


class IllegalTransition(ApplicationError):
    """The move is not in the table, or not for this role. Nothing was changed."""

    status = 409
    code = "illegal_transition"


def _known(*statuses: str) -> bool:
    return all(s in Status.values for s in statuses)


def is_allowed(current: str, to: str, role: str) -> bool:
    key = (Status(current), Status(to)) if _known(current, to) else None
    return key is not None and role in TRANSITIONS.get(key, frozenset())


def check_transition(current: str, to: str, role: str) -> None:
    if not is_allowed(current, to, role):
        raise IllegalTransition(
            _("A deal cannot go from “%(from)s” to “%(to)s” by the %(role)s.")
            % {
                "from": _label(Status, current),
                "to": _label(Status, to),
                "role": _label(Role, role),
            },
            extra={"from": current, "to": to, "role": role},
        )


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def targets_for(current: str, role: str) -> list[Status]:
    """Where ``role`` may move a deal from ``current``, in table order."""
    return [t for (s, t), roles in TRANSITIONS.items() if s == current and role in roles]
