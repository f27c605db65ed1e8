"""Writes on deals: opening one, moving it through its lifecycle, expiring unpaid ones.

``deal_transition`` is the one function that writes a deal's status. The other writes on a
deal (shipping, disputes, timers, refunds: ``deals.actions``, ``deals.disputes``,
``deals.timers``, ``deals.money``) go through it for every status change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commission.selectors import commission_current, commission_split_checked
from core.idempotency import create_once
from offers.models import MAX_QUANTITY, Offer
from paylib.errors import ApplicationError
from paylib.money import MAX_AMOUNT_KOPECKS
from paylib.outbox.services import enqueue
from users.models import User

from . import notices, timing
from .effects import MONEY_EFFECT, money_key
from .models import Deal, DealTransition
from .state import (
    EXPIRABLE,
    OPEN_UNPAID,
    RELEASES_QUANTITY,
    IllegalTransition,
    Money,
    Role,
    Status,
    check_transition,
    money_of,
)


def _check_can_buy(offer: Offer, buyer: User, quantity: int) -> None:
    if offer.seller_id == buyer.pk:
        raise ApplicationError(_("You cannot buy from yourself."), code="own_offer")
    if offer.status != Offer.Status.ACTIVE:
        raise ApplicationError(_("This offer is not for sale now."), code="offer_inactive")
    if quantity < 1:
        raise ApplicationError(_("Buy at least one item."), field="quantity")
    if quantity > offer.quantity_available:
        raise ApplicationError(
            _("Only %(count)s left.") % {"count": offer.quantity_available},
            code="not_enough_quantity",
            field="quantity",
        )
    if offer.price * quantity > MAX_AMOUNT_KOPECKS:
        raise ApplicationError(_("The amount is too large."), field="quantity")


def _check_open_unpaid(buyer: User) -> None:
    """Refuse a buyer who holds too many unpaid deals. Call holding his row's lock."""
    limit = settings.DEAL_OPEN_UNPAID_PER_BUYER
    if Deal.objects.filter(buyer=buyer, status__in=OPEN_UNPAID).count() >= limit:
        raise ApplicationError(
            ngettext(
                "You have %(count)s deal that is not paid yet. Pay for it or cancel it "
                "before you buy more.",
                "You have %(count)s deals that are not paid yet. Pay for one or cancel it "
                "before you buy more.",
                limit,
            )
            % {"count": limit},
            code="too_many_unpaid_deals",
        )


def deal_create(
    *, buyer: User, offer: Offer, quantity: int, idempotency_key: UUID | None = None
) -> Deal:
    """Open a deal and reserve its quantity: the offer's row is locked while it is counted,
    so two buyers can never take the same last item; the buyer's row is locked first
    while his unpaid deals are counted, so concurrent Buys (of any offers) cannot open
    more than ``DEAL_OPEN_UNPAID_PER_BUYER``.

    With ``idempotency_key`` (the Buy form's), a repeat of the same form returns the deal
    the first one opened and reserves nothing more.
    """
    with transaction.atomic():
        # Lock order: the buyer's row, then the offer's.
        User.objects.select_for_update(no_key=True).filter(pk=buyer.pk).values_list("pk").get()
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        if idempotency_key is None:
            return _open(locked, buyer, quantity, None)
        return create_once(
            Deal,
            key={"buyer": buyer, "idempotency_key": idempotency_key},
            create=lambda: _open(locked, buyer, quantity, idempotency_key),
        )


def _open(locked: Offer, buyer: User, quantity: int, idempotency_key: UUID | None) -> Deal:
    """Call while holding SELECT FOR UPDATE locks on the buyer's row and on ``locked``."""
    _check_can_buy(locked, buyer, quantity)
    _check_open_unpaid(buyer)
    amount = locked.price * quantity
    setting = commission_current()
    # The setting may have changed since the offer was priced: check again.
    split = commission_split_checked(amount, setting=setting, field=None)
    locked.quantity_available -= quantity
    locked.save(update_fields=["quantity_available", "updated_at"])
    deal = Deal.objects.create(
        buyer=buyer,
        seller_id=locked.seller_id,
        offer=locked,
        offer_title=locked.title,
        quantity=quantity,
        unit_price=locked.price,
        amount=amount,
        commission_percent=setting.percent,
        commission_amount=split.commission,
        seller_net=split.net,
        status=Status.CREATED,
        expires_at=timezone.now() + settings.DEAL_PAYMENT_WINDOW,
        idempotency_key=idempotency_key,
    )
    DealTransition.objects.create(
        deal=deal,
        from_status="",
        to_status=Status.CREATED,
        actor=buyer,
        role=Role.BUYER,
        reason="opened",
    )
    notices.deal_event(deal=deal, kind="deal_opened")
    return deal


def _check_actor(deal: Deal, actor: User | None, role: str) -> None:
    allowed = {
        Role.BUYER: actor is not None and actor.pk == deal.buyer_id,
        Role.SELLER: actor is not None and actor.pk == deal.seller_id,
        Role.STAFF: actor is not None and actor.is_staff,
        Role.SYSTEM: actor is None,
    }.get(Role(role), False)
    if not allowed:
        raise IllegalTransition(_("You cannot act on this deal in that role."), status=403)


def _release_quantity(deal: Deal) -> None:
    """Give the reserved items back to the offer (never past the offer's ceiling)."""
    Offer.objects.filter(pk=deal.offer_id).update(
        quantity_available=Least(F("quantity_available") + deal.quantity, MAX_QUANTITY),
        updated_at=timezone.now(),
    )


def deal_transition(
    *,
    deal: Deal,
    to: str,
    actor: User | None,
    role: str,
    reason: str = "",
    check: Callable[[Deal], None] | None = None,
    capture_amount: int | None = None,
    **fields: Any,
) -> Deal:
    """Move ``deal`` to ``to`` if the table in ``deals.state`` allows it for ``role``.

    Locks the deal's row (then its offer's, when quantity returns), so two moves of one
    deal queue up and the second sees the first's result. ``check`` is called with the
    locked row before the move (a deadline, say) and may raise to refuse it; ``fields``
    are written with the status. A move that captures or releases the hold makes its bank
    call due in the same transaction (``MONEY``; ``capture_amount`` is the part to pay
    out, all of it by default). An illegal move raises ``IllegalTransition`` and changes
    nothing.
    """
    if "status" in fields:
        raise TypeError("The status is `to`; it is not one of the fields.")
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        _check_actor(locked, actor, role)
        check_transition(locked.status, to, role)
        if check is not None:
            check(locked)
        previous = locked.status
        changed = {"status": to, **_deadlines(to), **fields}
        money = money_of(previous, to)
        if money is not None:
            changed["money_due"] = money
            if money == Money.CAPTURE:
                changed["capture_amount"] = (
                    locked.amount if capture_amount is None else capture_amount
                )
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*changed, "updated_at"])
        if to in RELEASES_QUANTITY:
            _release_quantity(locked)
        DealTransition.objects.create(
            deal=locked,
            from_status=previous,
            to_status=to,
            actor=actor,
            role=role,
            reason=reason[:255],
        )
        if money is not None:
            enqueue(MONEY_EFFECT, {"deal": locked.pk}, key=money_key(locked))
        notices.deal_moved(deal=locked, previous=previous, role=role)
    for field in Deal._meta.concrete_fields:
        setattr(deal, field.attname, getattr(locked, field.attname))
    return locked


class DeadlinePassed(ApplicationError):
    status = 409
    code = "deadline_passed"


def before_deadline(name: str, message: str) -> Callable[[Deal], None]:
    """A ``check`` for ``deal_transition``: refuse the move once the deal's ``name`` has
    passed (a person acting too late)."""

    def check(locked: Deal) -> None:
        deadline = getattr(locked, name)
        if deadline is not None and timezone.now() >= deadline:
            raise DeadlinePassed(message)

    return check


def after_deadline(name: str) -> Callable[[Deal], None]:
    """A ``check`` for a timer's move: refuse it unless the deal's ``name`` has passed."""

    def check(locked: Deal) -> None:
        deadline = getattr(locked, name)
        if deadline is None or timezone.now() < deadline:
            raise IllegalTransition(f"deal {locked.pk}: {name} has not passed")

    return check


def _deadlines(to: str) -> dict[str, Any]:
    """The clocks that a move into ``to`` starts."""
    now = timezone.now()
    if to == Status.HELD:
        return {"held_at": now, "ship_by": now + timing.shipping_window()}
    if to == Status.SHIPPED:
        return {"shipped_at": now, "confirm_by": now + timing.confirmation_window()}
    return {}


def deals_expire_unpaid(*, now: datetime | None = None, limit: int = 500) -> int:
    """Expire deals whose payment window has passed; returns how many expired."""
    now = now or timezone.now()
    due = list(
        Deal.objects.filter(status__in=EXPIRABLE, expires_at__lte=now)
        .order_by("expires_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    expired = 0
    for deal in Deal.objects.filter(pk__in=due).order_by("pk"):
        try:
            deal_transition(
                deal=deal,
                to=Status.EXPIRED,
                actor=None,
                role=Role.SYSTEM,
                reason="payment window elapsed",
            )
        except IllegalTransition:
            continue  # paid or cancelled meanwhile: nothing to expire
        expired += 1
    return expired
