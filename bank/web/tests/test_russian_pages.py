"""No English on the bank's Russian pages: the customer's pages and the sign-in and password
pages, opened in Russian, show none of the project's English phrases untranslated
(``paylib.admin_language``; the admin's pages are ``test_admin_language``'s)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from api.models import ApiClient
from customers.models import Customer
from ledger.models import Account
from paylib.admin_language import catalogue_phrases, page_text, phrases_in

pytestmark = pytest.mark.django_db

PHRASES = catalogue_phrases(settings.LOCALE_PATHS)
CUSTOMER_PAGES = [
    ("web:accounts", False),
    ("web:operations", False),
    ("web:platforms", False),
    ("web:statement", True),
    ("web:account-details", True),
]
PUBLIC_PAGES = ["web:login", "web:password_reset"]


def in_russian(client: Client, url: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200, url
    text = page_text(response.content.decode())
    assert re.search("[а-яё]{4}", text), text[:300]  # the page is in Russian at all
    return text


@pytest.fixture
def account(make_account: Callable[..., Account], platform: tuple[ApiClient, str]) -> Account:
    customer = Customer.objects.create_user("klient@example.com", "pw-12345678", language="ru")
    return make_account(balance=12_345_67, customer=customer, link_to=platform[0])


def test_the_catalogues_give_phrases_to_look_for() -> None:
    assert len(PHRASES) > 200


def test_the_same_page_in_english_is_found_english(account: Account) -> None:
    client = Client()
    client.force_login(account.customer)
    response = client.get(reverse("web:statement", args=[account.number]))
    assert len(phrases_in(page_text(response.content.decode()), PHRASES)) > 3


@pytest.mark.parametrize(("name", "by_number"), CUSTOMER_PAGES)
def test_a_customers_page_in_russian_has_no_english_left(
    account: Account, name: str, by_number: bool
) -> None:
    client = Client()
    client.force_login(account.customer)
    with translation.override("ru"):
        url = reverse(name, args=[account.number] if by_number else [])
    assert phrases_in(in_russian(client, url), PHRASES) == []


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_a_public_page_in_russian_has_no_english_left(name: str) -> None:
    with translation.override("ru"):
        url = reverse(name)
    assert phrases_in(in_russian(Client(), url), PHRASES) == []
