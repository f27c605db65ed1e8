"""A seller's public page: who he is, what he sold, how buyers rate him, what he offers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from deals.models import Deal
from deals.services import deal_create
from offers.models import Offer
from reviews.services import review_create
from users.models import User

pytestmark = pytest.mark.django_db


def page(user_id: int, language: str = "en") -> str:
    url = reverse("sellers:detail", args=[user_id])
    response = Client().get(f"/ru{url}" if language == "ru" else url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_name_since_sales_rating_reviews_and_active_offers(
    user: User, make_user: Callable[..., User], make_offer: Callable[..., Offer]
) -> None:
    lamp = make_offer(user, title="Desk lamp", quantity_available=10)
    make_offer(user, title="Paused chair", status="paused")
    make_offer(user, title="Closed table", status="closed")
    for rating, name in [(5, "Anna"), (4, "Boris")]:
        buyer = make_user(name=name)
        deal = deal_create(buyer=buyer, offer=lamp, quantity=1)
        Deal.objects.filter(pk=deal.pk).update(status="completed")
        review_create(buyer=buyer, deal=deal, rating=rating, text=f"From {name}")
    unpaid = deal_create(buyer=make_user(), offer=lamp, quantity=1)
    assert unpaid.status == "created"
    html = page(user.pk)
    assert user.name in html
    assert f"Member since {user.date_joined:%B %Y}" in html
    assert html.index("From Anna") < html.index("offer-grid")  # reviews before offers
    assert "<dt>Completed sales</dt><dd>2</dd>" in html
    assert "4.5 of 5 from 2 reviews" in html
    assert "From Anna" in html
    assert "From Boris" in html
    assert "Desk lamp" in html
    assert "Paused chair" not in html
    assert "Closed table" not in html


def test_the_page_in_russian(user: User, make_offer: Callable[..., Offer]) -> None:
    make_offer(user, title="Лампа")
    html = page(user.pk, "ru")
    assert "Завершённые продажи" in html
    assert "Отзывов пока нет" in html
    assert "На площадке с " in html
    assert any(
        f"с {month} " in html
        for month in [
            "января",
            "февраля",
            "марта",
            "апреля",
            "мая",
            "июня",
            "июля",
            "августа",
            "сентября",
            "октября",
            "ноября",
            "декабря",
        ]
    )


def test_a_user_who_never_sold_has_no_page(
    make_user: Callable[..., User], user: User, make_offer: Callable[..., Offer]
) -> None:
    buyer = make_user()
    make_offer(user)
    for pk in [buyer.pk, 10**12, 2**63]:
        assert Client().get(f"/sellers/{pk}/").status_code == 404


def test_a_seller_whose_offers_are_closed_keeps_his_page_for_his_sales(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user)
    deal = deal_create(buyer=other_user, offer=offer, quantity=1)
    Deal.objects.filter(pk=deal.pk).update(status="completed")
    Offer.objects.filter(pk=offer.pk).update(status="closed")
    html = page(user.pk)
    assert "<dt>Completed sales</dt><dd>1</dd>" in html
    assert "No offers in the catalogue now." in html


def test_the_404_page_is_the_site_s_own(db: None) -> None:
    response = Client().get("/sellers/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert reverse("offers:catalogue") in html
    ru = Client().get("/ru/sellers/999999/").content.decode()
    assert "Страница не найдена" in ru
