"""Writes on offers. Only the seller changes his offers here; staff use the admin."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import user_has_linked_account
from commission.selectors import commission_split_checked
from core.idempotency import create_once
from core.images import CleanImage
from paylib.errors import ApplicationError
from paylib.text import ONE_LINE_MESSAGE, is_one_line
from users.models import User

from .models import MAX_PHOTOS, MAX_QUANTITY, Category, Offer, OfferPhoto


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
    photos: Sequence[CleanImage] = (),
    idempotency_key: UUID | None = None,
) -> Offer:
    """Publish an offer with its ``photos`` (checked by ``core.images``), in this order;
    with ``idempotency_key`` (the form's), a repeat of the same form returns the offer the
    first one published, with the first one's photos."""
    title = _check_fields(title=title, price=price, quantity=quantity)
    if quantity < 1:
        raise ApplicationError(_("Offer at least one item."), field="quantity")
    _check_photo_count(len(photos))

    def publish() -> Offer:
        offer = Offer.objects.create(
            seller=seller,
            title=title,
            description=description.strip(),
            price=price,
            quantity_available=quantity,
            category=category,
            idempotency_key=idempotency_key,
        )
        _photos_store(offer, photos, start=0)
        return offer

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
    photo_order: Sequence[int] | None = None,
    new_photos: Sequence[CleanImage] = (),
) -> Offer:
    """Change the offer; deals already opened keep the price they were opened at.

    ``photo_order`` lists the ids of the photos to keep, in their new order (None keeps
    them all as they are); ``new_photos`` go after them."""
    title = _check_fields(title=title, price=price, quantity=quantity)
    with transaction.atomic():
        offer = _locked_own_offer(offer, actor)
        if offer.status == Offer.Status.CLOSED:
            raise OfferNotEditable(_("A closed offer cannot be changed."))
        kept = _photos_reorder(offer, photo_order)
        _check_photo_count(kept + len(new_photos))
        _photos_store(offer, new_photos, start=kept)
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


def _check_photo_count(count: int) -> None:
    if count > MAX_PHOTOS:
        raise ApplicationError(
            _("At most %(limit)s photos in all.") % {"limit": MAX_PHOTOS},
            code="too_many_images",
            field="photos",
        )


def _photos_reorder(offer: Offer, photo_order: Sequence[int] | None) -> int:
    """Keep the photos listed, in that order, and delete the others; the number kept.
    Call with the offer's row locked."""
    photos = {photo.pk: photo for photo in offer.photos.all()}
    if photo_order is None:
        photo_order = list(photos)
    if len(set(photo_order)) != len(photo_order) or not set(photo_order) <= set(photos):
        raise ApplicationError(_("Those photos are not this offer's."), field="photos")
    for photo_id in set(photos) - set(photo_order):
        photo = photos[photo_id]
        photo.delete()
        # robust: a file left behind is harmless, a 500 after the commit is not.
        transaction.on_commit(functools.partial(_file_delete, photo), robust=True)
    for position, photo_id in enumerate(photo_order):
        photo = photos[photo_id]
        if photo.position != position:
            photo.position = position
            photo.save(update_fields=["position"])
    return len(photo_order)


def _photos_store(offer: Offer, photos: Sequence[CleanImage], *, start: int) -> None:
    """Store ``photos`` after the first ``start``; if one fails, the files already written
    are removed again (the transaction's rollback takes the rows)."""
    written: list[OfferPhoto] = []
    try:
        for position, image in enumerate(photos, start=start):
            photo = OfferPhoto(offer=offer, position=position)
            upload = image.as_file()
            photo.image.save(upload.name or "", upload, save=False)
            written.append(photo)
            photo.save()
    except BaseException:
        for photo in written:
            _file_delete(photo)
        raise


def _file_delete(photo: OfferPhoto) -> None:
    if photo.image.name:
        photo.image.storage.delete(photo.image.name)
