"""Reads on reviews, each with the check of who may see or change it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, QuerySet
from django.http import Http404

from deals.models import Deal
from offers.models import Offer
from users.models import User

from .models import Review


@dataclass(frozen=True)
class Rating:
    average: Decimal | None
    count: int


def _rating(reviews: QuerySet[Review]) -> Rating:
    totals = reviews.aggregate(average=Avg("rating"), count=Count("id"))
    average = totals["average"]
    if average is None:
        return Rating(average=None, count=0)
    rounded = Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Rating(average=rounded, count=totals["count"])


def seller_rating(*, seller: User) -> Rating:
    return _rating(Review.objects.filter(seller=seller))


def reviews_of_seller(*, seller: User, limit: int = 20) -> list[Review]:
    reviews = Review.objects.filter(seller=seller).select_related("buyer", "offer")
    return list(reviews[:limit])


def reviews_of_offer(*, offer: Offer, limit: int = 10) -> list[Review]:
    reviews = Review.objects.filter(offer=offer).select_related("buyer")
    return list(reviews[:limit])


def deal_to_review(*, deal_id: int, user: User) -> Deal:
    """The buyer's completed deal that has no review yet; a 404 for anything else."""
    deal = (
        Deal.objects.select_related("seller", "offer")
        .filter(pk=deal_id, buyer=user, status=Deal.Status.COMPLETED, review__isnull=True)
        .first()
    )
    if deal is None:
        raise Http404
    return deal


def deals_to_review(*, user: User | None, offer: Offer) -> list[Deal]:
    """The user's completed deals on ``offer`` that he has not reviewed."""
    if user is None:
        return []
    deals = Deal.objects.filter(
        buyer=user, offer=offer, status=Deal.Status.COMPLETED, review__isnull=True
    )
    return list(deals.order_by("-created_at", "-id")[:5])


def review_get_own(*, review_id: int, user: User) -> Review:
    """A review its buyer is about to change; a 404 for anyone else, staff included."""
    review = Review.objects.select_related("seller", "offer").filter(pk=review_id).first()
    if review is None or review.buyer_id != user.pk:
        raise Http404
    return review


def review_get_about(*, review_id: int, user: User) -> Review:
    """A review of the user as a seller, which he is about to answer; a 404 otherwise."""
    review = Review.objects.select_related("buyer", "offer").filter(pk=review_id).first()
    if review is None or review.seller_id != user.pk:
        raise Http404
    return review
