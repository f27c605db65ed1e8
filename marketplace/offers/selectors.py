"""Reads on offers: the catalogue, an offer page, a seller's own list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from core.keyset import KeysetPage, keyset_page
from users.models import User

from .models import IN_CATALOGUE, Category, Offer
from .search import offers_matching, uses_full_text

SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-id"),
    "price_asc": ("price", "id"),
    "price_desc": ("-price", "-id"),
    "relevance": ("-rank", "-id"),
}


@dataclass(frozen=True)
class CatalogueFilters:
    query: str = ""
    category: Category | None = None
    seller_id: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    sort: str = "newest"


def _filtered(filters: CatalogueFilters) -> QuerySet[Offer]:
    offers = Offer.objects.filter(IN_CATALOGUE).select_related("seller", "category")
    if filters.category is not None:
        offers = offers.filter(category=filters.category)
    if filters.seller_id is not None:
        offers = offers.filter(seller_id=filters.seller_id)
    if filters.price_min is not None:
        offers = offers.filter(price__gte=filters.price_min)
    if filters.price_max is not None:
        offers = offers.filter(price__lte=filters.price_max)
    if filters.query:
        offers = offers_matching(offers, filters.query)
    return offers.defer("search_vector", "description")


def offer_catalogue(
    *, filters: CatalogueFilters, cursor: str | None, size: int
) -> KeysetPage[Offer]:
    """One page of the catalogue. Never counts the matches: pages follow the last row."""
    sort = filters.sort if filters.sort in SORTS else "newest"
    if sort == "relevance" and not (filters.query and uses_full_text()):
        sort = "newest"
    return keyset_page(_filtered(filters), ordering=SORTS[sort], cursor=cursor, size=size)


def seller_in_catalogue(*, seller_id: int) -> User | None:
    """The seller of ``seller_id`` if he has an offer in the catalogue (his name is public
    there), else None: a user's name is never shown by id alone."""
    if not 0 < seller_id < 2**63:
        return None
    offers = Offer.objects.filter(IN_CATALOGUE, seller_id=seller_id)
    return User.objects.filter(pk=seller_id, offers__in=offers).distinct().first()


def offer_get_visible(*, offer_id: int, user: User | None) -> Offer:
    """An offer page: the catalogue's offers for everyone; paused, closed or sold-out ones
    only for the seller, staff and buyers who hold a deal on it."""
    offer = Offer.objects.select_related("seller", "category").filter(pk=offer_id).first()
    if offer is None:
        raise Http404
    if offer.in_catalogue:
        return offer
    if user is not None and (
        user.is_staff or offer.seller_id == user.pk or offer.deals.filter(buyer=user).exists()
    ):
        return offer
    raise Http404


def offer_get_own(*, offer_id: int, user: User) -> Offer:
    """An offer its seller is about to change; anyone else gets a 404, even staff."""
    offer = Offer.objects.select_related("category").filter(pk=offer_id, seller=user).first()
    if offer is None:
        raise Http404
    return offer


def offers_of_seller(*, seller: User, exclude: Offer | None = None, limit: int = 6) -> list[Offer]:
    offers = Offer.objects.filter(IN_CATALOGUE, seller=seller).order_by("-created_at", "-id")
    if exclude is not None:
        offers = offers.exclude(pk=exclude.pk)
    return list(offers.select_related("category").defer("search_vector")[:limit])


def offers_own(*, user: User) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(seller=user)
        .select_related("category")
        .defer("search_vector")
        .order_by("-created_at", "-id")
    )


def categories_all() -> QuerySet[Category]:
    return Category.objects.all()
