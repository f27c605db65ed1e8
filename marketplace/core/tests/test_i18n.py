from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from conftest import client_for
from offers.models import Offer
from users.models import User

pytestmark = pytest.mark.django_db


def test_pages_speak_russian_under_the_ru_prefix(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, price=123_456_78, quantity_available=3)
    catalogue = Client().get("/ru/").content.decode()
    assert "Все предложения" in catalogue
    assert "123\xa0456,78\xa0₽" in catalogue
    assert "Осталось 3 штуки" in catalogue
    page = client_for(user).get(f"/ru/offers/{offer.pk}/").content.decode()
    assert "Изменить" in page


def test_the_english_default_has_no_prefix(user: User, make_offer: Callable[..., Offer]) -> None:
    make_offer(user, price=123_456_78)
    catalogue = Client().get("/").content.decode()
    assert "All offers" in catalogue
    assert "123,456.78\xa0₽" in catalogue


def test_the_language_switch_goes_to_the_same_page_in_russian(db: None) -> None:
    response = Client().post("/i18n/setlang/", {"language": "ru", "next": "/deals/"})
    assert response.status_code == 302
    assert response["Location"] == "/ru/deals/"
    assert response.cookies["market_language"].value == "ru"


def test_form_errors_are_translated(user: User) -> None:
    response = client_for(user).post("/ru/accounts/add/", {"number": "123"})
    assert "В номере счёта ровно 20 цифр." in response.content.decode()


def test_paused_offers_are_hidden_from_strangers(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, status="paused")
    assert client_for(other_user).get(f"/offers/{offer.pk}/").status_code == 404
    assert Client().get(f"/offers/{offer.pk}/").status_code == 404
    assert client_for(user).get(f"/offers/{offer.pk}/").status_code == 200


def test_a_russian_browser_gets_russian_at_the_root(db: None) -> None:
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    assert "Все предложения" in response.content.decode()
    assert response["Content-Language"] == "ru"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_an_english_browser_and_no_header_get_english(db: None) -> None:
    assert "All offers" in Client().get("/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "All offers" in Client().get("/").content.decode()


def test_a_chosen_language_holds_on_every_page(user: User) -> None:
    client = client_for(user)
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    for path in ("/", "/deals/", "/accounts/"):
        assert '<html lang="ru">' in client.get(path, follow=True).content.decode(), path
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "All offers" in client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()


def test_switching_the_language_saves_it_to_the_profile(user: User) -> None:
    client = client_for(user)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/deals/"})
    assert response["Location"] == "/ru/deals/"
    user.refresh_from_db()
    assert user.language == "ru"


def test_switching_the_language_signed_out_touches_no_profile(user: User) -> None:
    Client().post("/i18n/setlang/", {"language": "ru", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
