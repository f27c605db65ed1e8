"""No English on the bank's Russian pages: the customer's pages, the sign-in and password
pages, and every list of the admin, opened in Russian, show none of the project's English
phrases untranslated (``paylib.tests.english``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import translation

from api.models import ApiClient
from customers.models import Customer
from ledger.models import Account
from paylib.tests.english import english_in, english_phrases, page_text

pytestmark = pytest.mark.django_db

CATALOGUES = [Path(p) / "ru" / "LC_MESSAGES" / "django.mo" for p in settings.LOCALE_PATHS]
PHRASES = english_phrases(c for c in CATALOGUES if c.exists())
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
    assert len(english_in(page_text(response.content.decode()), PHRASES)) > 3


@pytest.mark.parametrize(("name", "by_number"), CUSTOMER_PAGES)
def test_a_customers_page_in_russian_has_no_english_left(
    account: Account, name: str, by_number: bool
) -> None:
    client = Client()
    client.force_login(account.customer)
    with translation.override("ru"):
        url = reverse(name, args=[account.number] if by_number else [])
    assert english_in(in_russian(client, url), PHRASES) == []


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_a_public_page_in_russian_has_no_english_left(name: str) -> None:
    with translation.override("ru"):
        url = reverse(name)
    assert english_in(in_russian(Client(), url), PHRASES) == []


ADMIN_LISTS = sorted(
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
    for model in admin.site._registry
)


@pytest.mark.parametrize("name", ["admin:index", *ADMIN_LISTS])
def test_an_admin_page_in_russian_has_no_english_left(
    account: Account, admin_client_: Client, name: str
) -> None:
    with translation.override("ru"):
        url = reverse(name)
    assert english_in(in_russian(admin_client_, url), PHRASES) == []
