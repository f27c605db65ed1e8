"""Who is told what about a deal: the one place that calls the notifications service.

Called in the transaction of the event (``deal_transition`` for every move, the other
services for what is not a move), so nobody is told of what rolled back; each call names
its event (``deal-<pk>-<kind>``), so a retried caller tells nobody twice.
"""

from __future__ import annotations

from typing import Any

from notifications.services import notify
from users.models import User

from .models import Deal, Dispute
from .state import Role, Status

#: Dispute outcomes as the notifications name them.
_OUTCOMES = {
    Dispute.Outcome.RELEASE: "release",
    Dispute.Outcome.REFUND: "refund",
    Dispute.Outcome.PARTIAL: "partial_refund",
}


def _both(deal: Deal) -> list[User]:
    return [deal.buyer, deal.seller]


def _tell(users: list[User], kind: str, deal: Deal, key: str = "", **params: Any) -> None:
    notify(
        users=users,
        kind=kind,
        deal=deal,
        key=f"deal-{deal.pk}-{key or kind}",
        **{name: value for name, value in params.items() if value not in (None, "")},
    )


def deal_moved(*, deal: Deal, previous: str, role: str) -> None:
    """Tell the parties about a move; called in the move's transaction."""
    to, system = deal.status, role == Role.SYSTEM
    if to == Status.HELD:
        _tell(_both(deal), "paid_held", deal, amount=deal.amount, deadline=deal.ship_by)
    elif to == Status.SHIPPED:
        method = deal.carrier if deal.ship_method == "delivery" else "in_person"
        _tell(
            [deal.buyer],
            "shipped",
            deal,
            method=method,
            tracking=deal.tracking_number,
            deadline=deal.confirm_by,
        )
    elif to == Status.COMPLETED and role != Role.STAFF:  # staff's ruling: dispute_resolved
        _tell(_both(deal), "auto_completed" if system else "completed", deal)
    elif to == Status.CANCELLED and previous == Status.HELD and system:
        _tell(_both(deal), "ship_missed", deal)
    elif to == Status.CANCELLED:
        others = [u for u in _both(deal) if role == Role.SYSTEM or u.pk != _actor_pk(deal, role)]
        _tell(others, "cancelled", deal, by=role)
    elif to == Status.REFUNDED and previous == Status.DISPUTED and system:
        _tell(_both(deal), "dispute_auto_refunded", deal)


def _actor_pk(deal: Deal, role: str) -> int | None:
    return {Role.BUYER: deal.buyer_id, Role.SELLER: deal.seller_id}.get(Role(role))


def deal_event(*, deal: Deal, kind: str, **params: Any) -> None:
    """Tell the parties about something that is not a move (a reminder, an answer...)."""
    if kind == "deal_opened":
        _tell([deal.seller], kind, deal, amount=deal.amount)
    elif kind == "ship_reminder":
        _tell([deal.seller], kind, deal, deadline=deal.ship_by)
    elif kind == "confirm_reminder":
        _tell([deal.buyer], kind, deal, deadline=deal.confirm_by)
    elif kind == "dispute_answered":
        _tell([deal.buyer], kind, deal)
    elif kind in ("refunded", "refund_failed"):
        users = _both(deal) if kind == "refunded" else [deal.buyer]
        _tell(users, kind, deal, key=f"{kind}-{params['refund']}", amount=params["amount"])


def dispute_opened(*, deal: Deal, dispute: Dispute) -> None:
    _tell(_both(deal), "dispute_opened", deal, reason=dispute.reason, deadline=dispute.answer_by)


def dispute_answer_reminder(*, deal: Deal, dispute: Dispute) -> None:
    _tell([deal.seller], "answer_reminder", deal, deadline=dispute.answer_by)


def dispute_answer_missed(*, deal: Deal, dispute: Dispute) -> None:
    _tell([deal.buyer], "answer_missed", deal, deadline=dispute.resolve_by)


def dispute_resolved(*, deal: Deal, dispute: Dispute) -> None:
    outcome = _OUTCOMES.get(Dispute.Outcome(dispute.outcome))
    if outcome is None:
        return  # timed out: told with the move (dispute_auto_refunded)
    amount = dispute.refund_amount if dispute.outcome == Dispute.Outcome.PARTIAL else None
    _tell(
        _both(deal),
        "dispute_resolved",
        deal,
        outcome=outcome,
        reason=dispute.resolution,
        amount=amount,
    )
