"""What the parties do to a paid deal: ship it, confirm receipt, cancel it; staff refund it.

Every status change goes through ``deal_transition``, which checks the table and the
deadline under the deal's row lock and makes the bank call due in the same transaction.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paylib.errors import ApplicationError
from paylib.outbox.services import enqueue
from users.models import User

from .effects import REFUND_EFFECT
from .models import Deal, Dispute, Refund, ShipMethod
from .money import refunded_so_far
from .services import before_deadline, deal_transition
from .state import Role, Status


def deal_ship(
    *,
    deal: Deal,
    seller: User,
    method: str,
    carrier: str = "",
    tracking_number: str = "",
) -> Deal:
    """The seller states how he sent the goods, within the shipping window."""
    if method not in ShipMethod.values:
        raise ApplicationError(_("Choose how you sent the goods."), field="method")
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if method == ShipMethod.DELIVERY:
        if not carrier:
            raise ApplicationError(_("Name the delivery service."), field="carrier")
        if not tracking_number:
            raise ApplicationError(_("Enter the tracking number."), field="tracking_number")
    else:
        carrier = tracking_number = ""
    return deal_transition(
        deal=deal,
        to=Status.SHIPPED,
        actor=seller,
        role=Role.SELLER,
        reason=f"shipped: {method}",
        check=before_deadline("ship_by", _("The shipping window has closed.")),
        ship_method=method,
        carrier=carrier[:100],
        tracking_number=tracking_number[:64],
    )


def deal_confirm_receipt(*, deal: Deal, buyer: User) -> Deal:
    """The buyer has the goods: the seller is paid (the hold is captured). Confirmed
    during a dispute, it settles the dispute for the seller."""
    with transaction.atomic():
        moved = deal_transition(
            deal=deal,
            to=Status.COMPLETED,
            actor=buyer,
            role=Role.BUYER,
            reason="receipt confirmed",
        )
        Dispute.objects.filter(deal=moved, outcome="").update(
            outcome=Dispute.Outcome.RELEASE,
            resolution=_("The buyer confirmed receipt."),
            resolved_by=buyer,
            resolved_at=timezone.now(),
        )
    return moved


def deal_cancel(*, deal: Deal, actor: User, role: str) -> Deal:
    """Call off a deal not yet shipped; a held deal's money goes back to the buyer."""
    return deal_transition(
        deal=deal, to=Status.CANCELLED, actor=actor, role=role, reason="cancelled"
    )


def deal_refund(*, deal: Deal, staff: User, amount: int, reason: str) -> Refund:
    """Staff give part or all of a paid deal's money back; the bank's refund follows.

    The seller must still have the money: if not, the bank refuses, the refund says so
    and nothing else changes (``deals.money.refund_settle``).
    """
    if not staff.is_staff:
        raise ApplicationError(_("Only staff refund deals."), status=403)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("State the reason for the refund."), field="reason")
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        if locked.status != Status.COMPLETED or locked.released_at is None:
            raise ApplicationError(
                _("Only a completed deal whose seller has been paid can be refunded."),
                code="not_refundable",
            )
        if locked.refunds.filter(status=Refund.Status.PENDING).exists():
            raise ApplicationError(
                _("A refund of this deal is under way; wait for it."), code="refund_pending"
            )
        refundable = locked.released_amount - refunded_so_far(locked)
        if not 0 < amount <= refundable:
            raise ApplicationError(
                _("The amount must be more than zero and at most what the seller was paid."),
                field="amount",
                extra={"refundable": refundable},
            )
        refund = Refund.objects.create(
            deal=locked,
            amount=amount,
            reason=reason[:500],
            requested_by=staff,
            idempotency_key=f"deal-{locked.pk}-refund-{uuid.uuid4().hex[:16]}",
        )
        enqueue(REFUND_EFFECT, {"refund": refund.pk}, key=f"deal-refund-{refund.pk}")
    return refund
