"""Reads on offers: the catalogue, an offer page, a seller's own list."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from core.keyset import KeysetPage, keyset_page
from users.models import User

from .models import IN_CATALOGUE, Category, Offer, OfferPhoto
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
    return with_cover(offers.defer("search_vector", "description"))


def with_cover(offers: QuerySet[Offer]) -> QuerySet[Offer]:
    """Each offer with ``covers``: its first photo, if any, in a list (the card's picture)."""
    first = OfferPhoto.objects.filter(position=0)
    return offers.prefetch_related(Prefetch("photos", queryset=first, to_attr="covers"))


#: The catalogue counts its matches up to this many, and says "more than" beyond.
COUNT_CAP = 1000


@dataclass(frozen=True)
class MatchCount:
    count: int
    more: bool  # there are more than ``count``


def offer_catalogue(
    *, filters: CatalogueFilters, cursor: str | None, size: int, before: str | None = None
) -> KeysetPage[Offer]:
    """One page of the catalogue: pages follow the last row (or lead up to the first row
    of the page after, for a previous-page link), never an OFFSET."""
    sort = filters.sort if filters.sort in SORTS else "newest"
    if sort == "relevance" and not (filters.query and uses_full_text()):
        sort = "newest"
    return keyset_page(
        _filtered(filters), ordering=SORTS[sort], cursor=cursor, size=size, before=before
    )


def offer_catalogue_count(*, filters: CatalogueFilters, cap: int = COUNT_CAP) -> MatchCount:
    """How many offers match, counted over at most ``cap + 1`` rows (a LIMIT inside the
    COUNT): exact up to the cap, "more than the cap" beyond, never a count of the table."""
    matching = _filtered(filters).order_by().values("pk")[: cap + 1]
    count = matching.count()
    return MatchCount(count=min(count, cap), more=count > cap)


def seller_in_catalogue(*, seller_id: int) -> User | None:
    """The seller of ``seller_id`` if he has an offer in the catalogue (his name is public
    there), else None: a user's name is never shown by id alone."""
    if not 0 < seller_id < 2**63:
        return None
    offers = Offer.objects.filter(IN_CATALOGUE, seller_id=seller_id)
    return User.objects.filter(pk=seller_id, offers__in=offers).distinct().first()


def offer_get_visible(*, offer_id: int, user: User | None) -> Offer:
    """An offer page. Open to everyone unless closed: a paused or sold-out offer says so
    rather than vanish from a link someone was given. A closed one only for the seller,
    staff and buyers who hold a deal on it."""
    offer = Offer.objects.select_related("seller", "category").filter(pk=offer_id).first()
    if offer is None:
        raise Http404
    if offer.status != Offer.Status.CLOSED:
        return offer
    if user is not None and (
        user.is_staff or offer.seller_id == user.pk or offer.deals.filter(buyer=user).exists()
    ):
        return offer
    raise Http404


def offer_all_reserved(*, offer: Offer) -> bool:
    """Whether an offer with nothing left has items held by deals not paid yet (they come
    back if those buyers do not pay)."""
    from deals.models import Deal

    unpaid = [
        Deal.Status.CREATED,
        Deal.Status.AWAITING_CODE,
        Deal.Status.PROCESSING,
        Deal.Status.PAYMENT_FAILED,
    ]
    return offer.quantity_available == 0 and offer.deals.filter(status__in=unpaid).exists()


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
    return list(with_cover(offers.select_related("category").defer("search_vector"))[:limit])


def offers_own(*, user: User) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(seller=user)
        .select_related("category")
        .defer("search_vector")
        .order_by("-created_at", "-id")
    )


def categories_all() -> QuerySet[Category]:
    return Category.objects.all()


def categories_signature() -> str:
    """Changes whenever a category is added, removed, renamed or moved: the key of the
    catalogue's filters as rendered for a visitor who has not filtered yet."""
    rows = Category.objects.order_by("pk").values_list(
        "pk", "slug", "name_en", "name_ru", "position"
    )
    return hashlib.blake2b(repr(list(rows)).encode(), digest_size=8).hexdigest()


def offer_photos(*, offer: Offer) -> list[OfferPhoto]:
    """The offer's photos in their order; shown wherever the offer is."""
    return list(offer.photos.all())
