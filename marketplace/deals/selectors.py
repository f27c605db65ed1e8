"""Reads on deals: only the buyer, the seller and staff see a deal."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from users.models import User

from .models import Deal, DealTransition, Dispute
from .state import Role, Status, targets_for

#: The moves a person makes from the deal page; payment moves belong to the payment flow,
#: staff's rulings on disputes to the admin.
PAGE_ACTIONS = {
    Status.CANCELLED: "cancel",
    Status.COMPLETED: "complete",
    Status.SHIPPED: "ship",
    Status.DISPUTED: "dispute",
}
#: The deadline after which a page action is no longer offered.
_DEADLINES = {"ship": "ship_by", "dispute": "confirm_by"}


def role_of(*, deal: Deal, user: User) -> Role | None:
    if user.pk == deal.buyer_id:
        return Role.BUYER
    if user.pk == deal.seller_id:
        return Role.SELLER
    if user.is_staff:
        return Role.STAFF
    return None


def deal_get_for_user(*, deal_id: int, user: User) -> tuple[Deal, Role]:
    """The deal and the user's part in it; a stranger gets a 404, as if it did not exist."""
    deal = Deal.objects.select_related("buyer", "seller", "offer").filter(pk=deal_id).first()
    role = role_of(deal=deal, user=user) if deal is not None else None
    if deal is None or role is None:
        raise Http404
    return deal, role


def deal_actions(*, deal: Deal, role: Role) -> list[str]:
    """The names of the page's action buttons this role may press now."""
    now = timezone.now()
    actions = []
    for target in targets_for(deal.status, role):
        name = PAGE_ACTIONS.get(target)
        deadline = getattr(deal, _DEADLINES.get(name or "", ""), None)
        if name is None or (deadline is not None and now >= deadline):
            continue
        if name == "complete" and role != Role.BUYER:
            continue  # staff settle disputes with a stated reason, in the admin
        actions.append(name)
    dispute = dispute_of(deal=deal)
    if (
        role == Role.SELLER
        and dispute is not None
        and dispute.is_open
        and dispute.answered_at is None
        and now < dispute.answer_by
    ):
        actions.append("answer")
    return actions


def dispute_of(*, deal: Deal) -> Dispute | None:
    """The deal's dispute, with the message and photos the buyer opened it with."""
    return (
        Dispute.objects.filter(deal=deal)
        .select_related("evidence")
        .prefetch_related("evidence__photos")
        .first()
    )


def deal_timeline(*, deal: Deal) -> QuerySet[DealTransition]:
    return deal.transitions.select_related("actor").order_by("at", "id")


def deals_of_user(*, user: User, role: str = "", status: str = "") -> QuerySet[Deal]:
    """The user's deals as buyer, as seller, or both; newest first."""
    if role == Role.BUYER:
        deals = Deal.objects.filter(buyer=user)
    elif role == Role.SELLER:
        deals = Deal.objects.filter(seller=user)
    else:
        deals = Deal.objects.filter(Q(buyer=user) | Q(seller=user))
    if status:
        deals = deals.filter(status=status)
    return deals.select_related("buyer", "seller").order_by("-created_at", "-id")
