"""Offer cards, each rendered once and kept in the ``fragments`` cache under a key made of
everything the card shows (title, price, stock, category, seller, picture, language): an
offer that changes gets a new key, so no card is ever stale, and a page of 24 cards costs
one cache lookup instead of 24 template renderings (docs/benchmarks.md, the catalogue)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django import template
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from offers.models import Offer

register = template.Library()

CACHE = "fragments"
TEMPLATE = "offers/_card.html"
#: Bumped when _card.html changes in a way its inputs do not show.
VERSION = 1


def card_key(offer: Offer, *, show_seller: bool, language: str) -> str:
    covers = getattr(offer, "covers", None) or []
    parts = [
        VERSION,
        language,
        show_seller,
        offer.pk,
        offer.title,
        offer.price,
        offer.quantity_available,
        offer.category_id,
        offer.category.name,
        offer.seller_id,
        offer.seller.name if show_seller else "",
        covers[0].image.name if covers else "",
    ]
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"offer-card:{digest}"


@register.simple_tag
def offer_cards(offers: Iterable[Offer], show_seller: bool = False) -> SafeString:
    """The cards of ``offers``, in their order."""
    cache = caches[CACHE]
    language = get_language() or "en"
    items = [(o, card_key(o, show_seller=show_seller, language=language)) for o in offers]
    found = cache.get_many([key for _offer, key in items])
    fresh = {}
    html = []
    for offer, key in items:
        card = found.get(key)
        if card is None:
            card = render_to_string(TEMPLATE, {"offer": offer, "show_seller": show_seller})
            fresh[key] = card
        html.append(card)
    if fresh:
        cache.set_many(fresh)
    return mark_safe("".join(html))  # noqa: S308 (each card is a rendered, escaped template)
