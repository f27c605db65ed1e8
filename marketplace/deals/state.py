"""The deal's lifecycle: every allowed status change and who may make it, in one table.

Nothing else in the code decides whether a deal may move; ``deals.services.deal_transition``
checks this table under a row lock, records each move as a ``DealTransition`` and, in the
same transaction, makes due what the move does with the buyer's money at the bank
(``MONEY``: capture or release the hold; ``deals.effects`` carries it out).
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
    HELD = "held", _("Paid, money held")
    SHIPPED = "shipped", _("Shipped")
    DISPUTED = "disputed", _("In dispute")
    COMPLETED = "completed", _("Completed")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    STAFF = "staff", _("Staff")
    SYSTEM = "system", _("System")


class Money(models.TextChoices):
    """What a move does with the hold at the bank."""

    CAPTURE = "capture", _("Pay the seller")
    VOID = "void", _("Release to the buyer")


B, S, ST, SY = Role.BUYER, Role.SELLER, Role.STAFF, Role.SYSTEM

#: (from, to) -> the roles that may make this move.
TRANSITIONS: dict[tuple[Status, Status], frozenset[Role]] = {
    # The buyer starts paying: the bank emails him a code.
    (Status.CREATED, Status.AWAITING_CODE): frozenset({B}),
    # The code expired or too many wrong codes: back to waiting for payment.
    (Status.AWAITING_CODE, Status.CREATED): frozenset({SY}),
    # The code matched; a task asks the bank to place the hold.
    (Status.AWAITING_CODE, Status.PROCESSING): frozenset({SY}),
    # The bank holds the buyer's money: the seller ships within DEAL_SHIPPING_WINDOW.
    (Status.PROCESSING, Status.HELD): frozenset({SY}),
    (Status.PROCESSING, Status.PAYMENT_FAILED): frozenset({SY}),
    # After a failure the buyer may try again.
    (Status.PAYMENT_FAILED, Status.AWAITING_CODE): frozenset({B}),
    # The seller sends the goods (or hands them over).
    (Status.HELD, Status.SHIPPED): frozenset({S}),
    # The buyer confirms receipt, or DEAL_CONFIRMATION_WINDOW passes without a word: the
    # hold is captured.
    (Status.SHIPPED, Status.COMPLETED): frozenset({B, SY}),
    # Within the confirmation window the buyer disputes the deal instead.
    (Status.SHIPPED, Status.DISPUTED): frozenset({B}),
    # Staff resolve a dispute: release to the seller (all, or the rest after a partial
    # refund), or a full refund; one left unresolved for DEAL_DISPUTE_LIMIT is refunded.
    # The buyer may still confirm receipt, which settles his dispute for the seller.
    (Status.DISPUTED, Status.COMPLETED): frozenset({B, ST}),
    (Status.DISPUTED, Status.REFUNDED): frozenset({ST, SY}),
    # A completed deal refunded in full by staff, once the bank has given it back.
    (Status.COMPLETED, Status.REFUNDED): frozenset({SY}),
    # Either party, or staff, may call off a deal that is not shipped; not shipped in
    # time, it is cancelled by itself. A held deal's money is released.
    (Status.CREATED, Status.CANCELLED): frozenset({B, S, ST}),
    (Status.AWAITING_CODE, Status.CANCELLED): frozenset({B, S, ST}),
    (Status.PAYMENT_FAILED, Status.CANCELLED): frozenset({B, S, ST}),
    (Status.HELD, Status.CANCELLED): frozenset({B, S, ST, SY}),
    # Unpaid deals run out of time (DEAL_PAYMENT_WINDOW), a buyer gone from the code
    # page included: his payment ends in the same transaction (payments.services).
    (Status.CREATED, Status.EXPIRED): frozenset({SY}),
    (Status.PAYMENT_FAILED, Status.EXPIRED): frozenset({SY}),
    (Status.AWAITING_CODE, Status.EXPIRED): frozenset({SY}),
}

#: (from, to) -> what the move does with the hold, made due in the move's transaction.
MONEY: dict[tuple[Status, Status], Money] = {
    (Status.SHIPPED, Status.COMPLETED): Money.CAPTURE,
    (Status.DISPUTED, Status.COMPLETED): Money.CAPTURE,
    (Status.DISPUTED, Status.REFUNDED): Money.VOID,
    (Status.HELD, Status.CANCELLED): Money.VOID,
}

FINAL = frozenset({Status.REFUNDED, Status.CANCELLED, Status.EXPIRED})
#: The buyer's money is at the bank on hold in these.
HOLDING = frozenset({Status.HELD, Status.SHIPPED, Status.DISPUTED})
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


def money_of(current: str, to: str) -> Money | None:
    """What moving from ``current`` to ``to`` does with the hold (None: nothing)."""
    return MONEY.get((Status(current), Status(to))) if _known(current, to) else None


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def targets_for(current: str, role: str) -> list[Status]:
    """Where ``role`` may move a deal from ``current``, in table order."""
    return [t for (s, t), roles in TRANSITIONS.items() if s == current and role in roles]
