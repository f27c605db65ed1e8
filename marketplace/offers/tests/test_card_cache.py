"""Offer cards come from the fragments cache, keyed on all they show: a second look renders
none of them again, and a change to an offer (its price, stock, title, seller's name) or
another language is a new card at once, never a stale one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client, signals
from django.urls import reverse

from offers.models import Offer
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


@pytest.fixture
def cards_rendered() -> Iterator[list[Any]]:
    """Every rendering of the card's template while the test runs."""
    seen: list[Any] = []

    def note(sender: Any, template: Any, context: Any, **kwargs: Any) -> None:
        if template.name == "offers/_card.html":
            seen.append(context["offer"].pk)

    signals.template_rendered.connect(note)
    yield seen
    signals.template_rendered.disconnect(note)


def catalogue(language: str = "en") -> str:
    # Each look rendered afresh: the whole page's cache for visitors who are not signed in
    # is core/tests/test_page_cache.py's.
    caches["pages"].clear()
    response = Client().get(reverse("offers:catalogue"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_look_renders_no_card_again(
    user: User, make_offer: Callable[..., Offer], cards_rendered: list[int]
) -> None:
    offers = [make_offer(user, title=f"Lamp {n}") for n in range(3)]
    first = catalogue()
    assert sorted(cards_rendered) == sorted(o.pk for o in offers)
    cards_rendered.clear()
    again = catalogue()
    assert cards_rendered == []
    assert all(o.title in again for o in offers)
    assert again.count('class="offer-card"') == first.count('class="offer-card"') == 3


@pytest.mark.parametrize(
    "change",
    [
        {"price": 777_00},
        {"quantity_available": 2},
        {"title": "Brass lamp, polished"},
    ],
    ids=["price", "stock", "title"],
)
def test_a_changed_offer_is_a_new_card_at_once(
    user: User, make_offer: Callable[..., Offer], change: dict[str, Any]
) -> None:
    offer = make_offer(user, title="Brass lamp", price=500_00, quantity_available=5)
    before = catalogue()
    Offer.objects.filter(pk=offer.pk).update(**change)  # no save(): nothing else is told
    after = catalogue()
    assert after != before
    shown = {"price": "777.00", "quantity_available": "2 items left", "title": "polished"}
    assert shown[next(iter(change))] in after


def test_the_sellers_new_name_is_on_the_card(user: User, make_offer: Callable[..., Offer]) -> None:
    make_offer(user, title="Brass lamp")
    assert user.name in catalogue()
    User.objects.filter(pk=user.pk).update(name="Olga Renamed")
    assert "Olga Renamed" in catalogue()


def test_each_language_has_its_own_card(user: User, make_offer: Callable[..., Offer]) -> None:
    make_offer(user, title="Brass lamp", quantity_available=3)
    assert "3 items left" in catalogue("en")
    russian = catalogue("ru")
    assert "3 items left" not in russian
    assert "Осталось 3 штуки" in russian


def test_the_blank_filters_follow_a_renamed_category_and_the_language() -> None:
    from offers.models import Category

    assert "Electronics" in catalogue("en")
    Category.objects.filter(slug="electronics").update(name_en="Gadgets", name_ru="Гаджеты")
    assert "Gadgets" in catalogue("en")
    assert "Гаджеты" in catalogue("ru")


def test_filled_in_filters_show_what_was_typed() -> None:
    catalogue()  # the blank filters cached
    caches["pages"].clear()
    response = Client().get(reverse("offers:catalogue"), {"q": "brass", "price_min": "12"})
    html = response.content.decode()
    assert 'value="brass"' in html
    assert 'value="12' in html
