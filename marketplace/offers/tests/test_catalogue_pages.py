"""The catalogue's rough edges: how many match, going back a page, a price range the wrong
way round, offers that cannot be bought now, and the seller's own forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SettlementAccount
from conftest import client_for, db_snapshot
from deals.services import deal_create
from offers.models import Category, Offer
from offers.selectors import CatalogueFilters, MatchCount, offer_catalogue_count
from users.models import User

pytestmark = pytest.mark.django_db


def titles(response: Any) -> list[str]:
    return [offer.title for offer in response.context["page"].items]


def test_the_count_is_exact_up_to_the_cap_and_more_than_it_beyond(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    for n in range(5):
        make_offer(user, title=f"Vase {n}")
    make_offer(user, title="Paused vase", status="paused")
    filters = CatalogueFilters()
    assert offer_catalogue_count(filters=filters, cap=5) == MatchCount(count=5, more=False)
    assert offer_catalogue_count(filters=filters, cap=4) == MatchCount(count=4, more=True)
    html = Client().get(reverse("offers:catalogue"), {"q": "vase"}).content.decode()
    assert "5 offers" in html
    ru = Client().get("/ru/", {"q": "vase"}).content.decode()
    assert "5 предложений" in ru


def test_the_page_says_more_than_the_cap(
    user: User, make_offer: Callable[..., Offer], monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(4):
        make_offer(user, title=f"Cup {n}")
    monkeypatch.setattr("offers.selectors.COUNT_CAP", 3)
    monkeypatch.setattr(
        "offers.views.offer_catalogue_count",
        lambda filters: offer_catalogue_count(filters=filters, cap=3),
    )
    html = Client().get(reverse("offers:catalogue")).content.decode()
    assert "More than 3 offers" in html


def test_previous_page_links_lead_back(
    user: User, make_offer: Callable[..., Offer], settings: Any
) -> None:
    settings.CATALOGUE_PAGE_SIZE = 2
    settings.SHARED_PAGE_SECONDS = 0  # each page rendered, so its context can be read
    for n in range(5):
        make_offer(user, title=f"Item {n}", price=1000 * (n + 1))
    client = Client()
    query = {"sort": "price_asc"}
    first = client.get(reverse("offers:catalogue"), query)
    assert titles(first) == ["Item 0", "Item 1"]
    assert first.context["page"].prev_cursor is None
    second = client.get(
        reverse("offers:catalogue"), {**query, "after": first.context["page"].next_cursor}
    )
    third = client.get(
        reverse("offers:catalogue"), {**query, "after": second.context["page"].next_cursor}
    )
    assert titles(third) == ["Item 4"]
    assert 'rel="prev"' in third.content.decode()
    back = client.get(
        reverse("offers:catalogue"), {**query, "before": third.context["page"].prev_cursor}
    )
    assert titles(back) == ["Item 2", "Item 3"]
    assert not back.context["page"].is_first
    back_again = client.get(
        reverse("offers:catalogue"), {**query, "before": back.context["page"].prev_cursor}
    )
    assert titles(back_again) == ["Item 0", "Item 1"]
    assert back_again.context["page"].is_first
    assert back_again.context["page"].prev_cursor is None
    assert titles(
        client.get(
            reverse("offers:catalogue"), {**query, "after": back_again.context["page"].next_cursor}
        )
    ) == ["Item 2", "Item 3"]


def test_a_forged_before_cursor_shows_the_first_page(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    make_offer(user, title="Only")
    for cursor in ["garbage", "W10", "!!!", "x" * 600]:
        response = Client().get(reverse("offers:catalogue"), {"before": cursor})
        assert titles(response) == ["Only"]


def test_a_price_range_the_wrong_way_round_is_explained(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    make_offer(user, title="Cheap", price=10_000)
    make_offer(user, title="Dear", price=900_000)
    response = Client().get(reverse("offers:catalogue"), {"price_min": "5000", "price_max": "50"})
    assert response.status_code == 200
    assert "below the lower one" in response.context["form"].errors["price_max"][0]
    assert titles(response) == ["Dear"]  # the lower bound still applies


def test_paused_and_sold_out_offers_say_so_to_visitors(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    paused = make_offer(user, title="Paused", status="paused")
    sold_out = make_offer(user, title="Gone", quantity_available=0)
    reserved = make_offer(user, title="Held", quantity_available=1)
    deal_create(buyer=other_user, offer=reserved, quantity=1)
    closed = make_offer(user, title="Closed", status="closed")
    cases = [(paused, "paused this offer"), (sold_out, "sold out"), (reserved, "reserved")]
    for offer, message in cases:
        response = Client().get(reverse("offers:detail", args=[offer.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert message in html
        assert "Sign in to buy" not in html
    assert Client().get(reverse("offers:detail", args=[closed.pk])).status_code == 404


def test_the_new_offer_form_preselects_no_category(
    user: User, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    html = client_for(user).get(reverse("offers:create")).content.decode()
    assert '<option value="" selected>Choose a category</option>' in html


def test_a_price_beyond_the_limit_names_the_limit(
    user: User, category: Category, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    client = client_for(user)
    for price in ["1000000001", "99999999999999999", "9" * 30]:
        response = client.post(
            reverse("offers:create"),
            {"title": "Yacht", "price": price, "quantity": "1", "category": str(category.pk)},
        )
        assert "at most 1,000,000,000.00" in response.context["form"].errors["price"][0]
    ru = client.post(
        "/ru" + reverse("offers:create"),
        {"title": "Яхта", "price": "1000000001", "quantity": "1", "category": str(category.pk)},
    )
    assert "не больше 1\u00a0000\u00a0000\u00a0000,00" in ru.context["form"].errors["price"][0]


def test_the_price_form_carries_the_commission_for_the_script(
    user: User, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    html = client_for(user).get(reverse("offers:create")).content.decode()
    assert 'id="price-split"' in html
    assert 'data-percent="' in html
    assert "offer-price.js" in html
    assert "<script>" not in html  # no inline script: the CSP allows only files


def test_closing_asks_first_and_the_button_is_not_the_main_one(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user)
    client = client_for(user)
    mine = client.get(reverse("offers:mine")).content.decode()
    assert f'href="{reverse("offers:close", args=[offer.pk])}" class="secondary"' in mine
    before = db_snapshot()
    page = client.get(reverse("offers:close", args=[offer.pk]))
    assert page.status_code == 200
    assert "Close the offer?" in page.content.decode()
    assert db_snapshot() == before
    assert client.post(reverse("offers:close", args=[offer.pk])).status_code == 302
    offer.refresh_from_db()
    assert offer.status == "closed"


def test_a_closed_offer_cannot_be_edited_by_url(
    user: User, category: Category, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, status="closed")
    client = client_for(user)
    response = client.get(reverse("offers:edit", args=[offer.pk]))
    assert response["Location"] == reverse("offers:detail", args=[offer.pk])
    before = db_snapshot()
    data = {"title": "New", "price": "10", "quantity": "1", "category": str(category.pk)}
    response = client.post(reverse("offers:edit", args=[offer.pk]), data)
    assert response.status_code == 302
    assert db_snapshot() == before
