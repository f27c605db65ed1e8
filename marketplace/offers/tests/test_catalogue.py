from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.keyset import encode_cursor
from offers.models import Category, Offer
from offers.selectors import COUNT_CAP, CatalogueFilters, MatchCount, offer_catalogue
from users.models import User

pytestmark = pytest.mark.django_db


def titles(**filters: Any) -> list[str]:
    page = offer_catalogue(filters=CatalogueFilters(**filters), cursor=None, size=100)
    return [offer.title for offer in page.items]


def walk(filters: CatalogueFilters, size: int) -> list[int]:
    """Every id the catalogue shows, page after page."""
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        page = offer_catalogue(filters=filters, cursor=cursor, size=size)
        seen += [offer.pk for offer in page.items]
        if not page.has_next:
            return seen
        cursor = page.next_cursor
    raise AssertionError("pagination does not end")


def test_only_active_offers_in_stock_are_listed(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    make_offer(user, title="On sale")
    make_offer(user, title="Paused", status="paused")
    make_offer(user, title="Closed", status="closed")
    make_offer(user, title="Sold out", quantity_available=0)
    assert titles() == ["On sale"]


def test_full_text_search_stems_english_and_russian_words(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    make_offer(user, title="Mountain bikes", description="Two wheels")
    make_offer(user, title="Детский велосипед", description="Почти новый")
    make_offer(user, title="Kettle", description="Boils water for a bike trip")
    assert set(titles(query="bike")) == {"Mountain bikes", "Kettle"}
    assert titles(query="велосипеды") == ["Детский велосипед"]
    assert titles(query="новые") == ["Детский велосипед"]
    assert titles(query="piano") == []


def test_a_title_match_ranks_above_a_description_match(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    make_offer(user, title="Kettle", description="Boils water for a bike trip")
    make_offer(user, title="Mountain bike", description="Two wheels")
    assert titles(query="bike", sort="relevance") == ["Mountain bike", "Kettle"]


def test_the_search_vector_follows_edits(user: User, make_offer: Callable[..., Offer]) -> None:
    offer = make_offer(user, title="Kettle")
    offer.title = "Teapot"
    offer.save()
    assert titles(query="kettle") == []
    assert titles(query="teapot") == ["Teapot"]


def test_filters_by_category_price_and_seller(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    books = Category.objects.get(slug="books")
    make_offer(user, title="Cheap book", price=100, category=books)
    make_offer(user, title="Dear book", price=10_000, category=books)
    make_offer(other_user, title="Phone", price=5_000)
    assert set(titles(category=books)) == {"Cheap book", "Dear book"}
    assert titles(price_min=1_000, price_max=5_000) == ["Phone"]
    assert set(titles(seller_id=user.pk)) == {"Cheap book", "Dear book"}
    assert titles(category=books, price_max=100) == ["Cheap book"]


def test_sorting(user: User, make_offer: Callable[..., Offer]) -> None:
    for title, price in [("B", 300), ("A", 100), ("C", 200)]:
        make_offer(user, title=title, price=price)
    assert titles(sort="newest") == ["C", "A", "B"]
    assert titles(sort="price_asc") == ["A", "C", "B"]
    assert titles(sort="price_desc") == ["B", "C", "A"]
    # Relevance without a query falls back to the newest first.
    assert titles(sort="relevance") == ["C", "A", "B"]


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc", "relevance"])
def test_pages_show_every_offer_exactly_once_even_with_ties(
    user: User, make_offer: Callable[..., Offer], sort: str
) -> None:
    for i in range(23):
        make_offer(user, title=f"Lamp {i}", price=100 * (i % 4 + 1), description="lamp " * (i % 3))
    same_moment = timezone.now() - timedelta(hours=1)
    Offer.objects.filter(pk__in=Offer.objects.values("pk")[:10]).update(created_at=same_moment)
    filters = CatalogueFilters(sort=sort, query="lamp" if sort == "relevance" else "")
    seen = walk(filters, size=5)
    assert sorted(seen) == sorted(Offer.objects.values_list("pk", flat=True))
    assert seen == [o.pk for o in offer_catalogue(filters=filters, cursor=None, size=50).items]


def test_a_page_request_counts_at_most_the_cap_and_never_the_table(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    for i in range(30):
        make_offer(user, title=f"Chair {i}")
    client = Client()
    first = client.get(reverse("offers:catalogue"), {"q": "chair"})
    cursor = first.context["page"].next_cursor
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("offers:catalogue"), {"q": "chair", "after": cursor})
    assert response.status_code == 200
    counts = [q["sql"].upper() for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert f"LIMIT {COUNT_CAP + 1}" in counts[0]  # the count stops at the cap
    assert len(response.context["page"].items) == 6
    assert response.context["matches"] == MatchCount(count=30, more=False)


def test_a_broken_cursor_shows_the_first_page(user: User, make_offer: Callable[..., Offer]) -> None:
    make_offer(user, title="Only")
    newest = encode_cursor("-created_at,-id", [timezone.now().isoformat(), 1])
    wrong_types = encode_cursor("price,id", ["cheap", "x"])
    for cursor in ["garbage", "W10", "WyJ4Il0", "!!!", newest, wrong_types]:
        response = Client().get(reverse("offers:catalogue"), {"after": cursor, "sort": "price_asc"})
        assert [o.title for o in response.context["page"].items] == ["Only"]


def test_invalid_filters_are_explained_and_ignored(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    make_offer(user, title="Thing")
    response = Client().get(reverse("offers:catalogue"), {"price_min": "abc", "sort": "weird"})
    assert response.status_code == 200
    assert "price_min" in response.context["form"].errors
    assert [o.title for o in response.context["page"].items] == ["Thing"]


def test_the_catalogue_page_links_the_next_page(
    user: User, make_offer: Callable[..., Offer], settings: Any
) -> None:
    settings.CATALOGUE_PAGE_SIZE = 2
    for i in range(3):
        make_offer(user, title=f"Item {i}")
    response = Client().get(reverse("offers:catalogue"), {"sort": "price_asc"})
    content = response.content.decode()
    assert "sort=price_asc&amp;after=" in content
    assert "Item 0" in content
    assert "Item 2" not in content
