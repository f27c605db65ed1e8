"""Writes on reviews: the buyer writes and, for a while, changes his; the seller answers."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.models import Deal
from paylib.errors import ApplicationError
from users.models import User

from .models import RATING_MAX, RATING_MIN, TEXT_MAX_LENGTH, Review


class ReviewNotAllowed(ApplicationError):
    status = 409
    code = "review_not_allowed"


def _checked_text(text: str, *, field: str) -> str:
    text = text.strip()
    if not text:
        raise ApplicationError(_("Write a few words."), field=field)
    if len(text) > TEXT_MAX_LENGTH:
        raise ApplicationError(
            _("At most %(limit)s characters.") % {"limit": TEXT_MAX_LENGTH}, field=field
        )
    return text


def _check_rating(rating: int) -> None:
    if not RATING_MIN <= rating <= RATING_MAX:
        raise ApplicationError(_("Choose from 1 to 5 stars."), field="rating")


def review_create(*, buyer: User, deal: Deal, rating: int, text: str) -> Review:
    """The buyer's review of the seller of his completed ``deal``; one per deal."""
    _check_rating(rating)
    text = _checked_text(text, field="text")
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        if locked.buyer_id != buyer.pk:
            raise ApplicationError(_("This is not your deal."), status=403)
        if locked.status != Deal.Status.COMPLETED:
            raise ReviewNotAllowed(_("A deal can be reviewed once it is completed."))
        if Review.objects.filter(deal=locked).exists():
            raise ReviewNotAllowed(_("You have already reviewed this deal."))
        try:
            with transaction.atomic():
                return Review.objects.create(
                    deal=locked,
                    seller_id=locked.seller_id,
                    buyer=buyer,
                    offer_id=locked.offer_id,
                    rating=rating,
                    text=text,
                )
        except IntegrityError:
            raise ReviewNotAllowed(_("You have already reviewed this deal.")) from None


def review_update(*, review: Review, actor: User, rating: int, text: str) -> Review:
    """The buyer changes his review, within ``EDIT_WINDOW`` of writing it."""
    _check_rating(rating)
    text = _checked_text(text, field="text")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.buyer_id != actor.pk:
            raise ApplicationError(_("This is not your review."), status=403)
        if not review.is_editable:
            raise ReviewNotAllowed(_("A review can be changed for 14 days after it is written."))
        review.rating, review.text = rating, text
        review.save(update_fields=["rating", "text", "updated_at"])
    return review


def review_reply(*, review: Review, actor: User, text: str) -> Review:
    """The seller's answer: once, for good."""
    text = _checked_text(text, field="reply")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.seller_id != actor.pk:
            raise ApplicationError(_("This review is not about you."), status=403)
        if review.replied_at is not None:
            raise ReviewNotAllowed(_("You have already answered this review."))
        review.reply, review.replied_at = text, timezone.now()
        review.save(update_fields=["reply", "replied_at", "updated_at"])
    return review
