"""Writes on offers. Only the seller changes his offers here; staff use the admin."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import user_has_linked_account
from commission.selectors import commission_split_checked
from core.idempotency import create_once
from paylib.errors import ApplicationError
from paylib.text import ONE_LINE_MESSAGE, is_one_line
from users.models import User

from .models import MAX_QUANTITY, Category, Offer


class NoSettlementAccount(ApplicationError):
    code = "no_settlement_account"


class OfferNotEditable(ApplicationError):
    status = 409
    code = "offer_not_editable"


def _check_fields(*, title: str, price: int, quantity: int) -> str:
    title = title.strip()
    if not title:
        raise ApplicationError(_("Enter a title."), field="title")
    if not is_one_line(title):
        raise ApplicationError(str(ONE_LINE_MESSAGE), code="not_one_line", field="title")
    if price <= 0:
        raise ApplicationError(_("The amount must be greater than zero."), field="price")
    if not 0 <= quantity <= MAX_QUANTITY:
        raise ApplicationError(_("The quantity is out of range."), field="quantity")
    commission_split_checked(price)  # one item must leave the seller something
    return title


def _require_payout_account(seller: User) -> None:
    if not user_has_linked_account(user=seller):
        raise NoSettlementAccount(
            _("Link a bank account first: buyers pay into it."), field="__all__"
        )


def _locked_own_offer(offer: Offer, actor: User) -> Offer:
    """The offer's row, locked: deals reserve quantity from it concurrently."""
    locked = Offer.objects.select_for_update().get(pk=offer.pk)
    if locked.seller_id != actor.pk:
        raise ApplicationError(_("This is not your offer."), status=403)
    return locked


def offer_create(
    *,
    seller: User,
    title: str,
    description: str,
    price: int,
    quantity: int,
    category: Category,
    idempotency_key: UUID | None = None,
) -> Offer:
    """Publish an offer; with ``idempotency_key`` (the form's), a repeat of the same form
    returns the offer the first one published."""
    title = _check_fields(title=title, price=price, quantity=quantity)
    if quantity < 1:
        raise ApplicationError(_("Offer at least one item."), field="quantity")

    def publish() -> Offer:
        return Offer.objects.create(
            seller=seller,
            title=title,
            description=description.strip(),
            price=price,
            quantity_available=quantity,
            category=category,
            idempotency_key=idempotency_key,
        )

    with transaction.atomic():
        _require_payout_account(seller)
        if idempotency_key is None:
            return publish()
        key = {"seller": seller, "idempotency_key": idempotency_key}
        return create_once(Offer, key=key, create=publish)


def offer_update(
    *,
    offer: Offer,
    actor: User,
    title: str,
    description: str,
    price: int,
    quantity: int,
    category: Category,
) -> Offer:
    """Change the offer; deals already opened keep the price they were opened at."""
    title = _check_fields(title=title, price=price, quantity=quantity)
    with transaction.atomic():
        offer = _locked_own_offer(offer, actor)
        if offer.status == Offer.Status.CLOSED:
            raise OfferNotEditable(_("A closed offer cannot be changed."))
        offer.title, offer.description = title, description.strip()
        offer.price, offer.quantity_available, offer.category = price, quantity, category
        offer.save(
            update_fields=[
                "title",
                "description",
                "price",
                "quantity_available",
                "category",
                "updated_at",
            ]
        )
    return offer


def _set_status(offer: Offer, actor: User, *, to: str, allowed_from: set[str]) -> Offer:
    with transaction.atomic():
        offer = _locked_own_offer(offer, actor)
        if offer.status not in allowed_from:
            raise OfferNotEditable(_("This offer cannot change that way now."))
        if to == Offer.Status.ACTIVE:
            _require_payout_account(actor)
        offer.status = to
        offer.save(update_fields=["status", "updated_at"])
    return offer


def offer_pause(*, offer: Offer, actor: User) -> Offer:
    return _set_status(offer, actor, to=Offer.Status.PAUSED, allowed_from={Offer.Status.ACTIVE})


def offer_resume(*, offer: Offer, actor: User) -> Offer:
    return _set_status(offer, actor, to=Offer.Status.ACTIVE, allowed_from={Offer.Status.PAUSED})


def offer_close(*, offer: Offer, actor: User) -> Offer:
    """Withdraw the offer for good; open deals on it go on."""
    return _set_status(
        offer,
        actor,
        to=Offer.Status.CLOSED,
        allowed_from={Offer.Status.ACTIVE, Offer.Status.PAUSED},
    )
