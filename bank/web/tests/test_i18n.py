"""The pages, the admin and the code emails in Russian."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from customers.models import Customer
from ledger.models import Account

pytestmark = pytest.mark.django_db


def test_sign_in_page_in_russian_under_the_ru_prefix(client: Client) -> None:
    response = client.get("/ru/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Вход" in html
    assert "Электронная почта" in html
    assert "Пароль" in html


@pytest.mark.smoke
def test_accounts_in_russian_with_russian_money(
    signed_in: Callable[[Customer], Client], make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=1_234_50)
    response = signed_in(account.customer).get("/ru/")
    html = response.content.decode()
    assert "Ваши счета" in html
    assert "Остаток" in html
    assert "1\u00a0234,50\u00a0₽" in html
    assert "Открыт" in html


def test_statement_in_russian(
    signed_in: Callable[[Customer], Client], make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=5_00)
    response = signed_in(account.customer).get(f"/ru/accounts/{account.number}/")
    html = response.content.decode()
    assert "Выписка" in html
    assert "+5,00\u00a0₽" in html


def test_language_switch_moves_to_the_russian_url(
    signed_in: Callable[[Customer], Client], make_customer: Callable[..., Customer]
) -> None:
    client = signed_in(make_customer())
    page = client.get(reverse("web:accounts")).content.decode()
    assert f'action="{reverse("web:language")}"' in page
    assert 'name="language" value="ru"' in page
    response = client.post(reverse("web:language"), {"language": "ru", "next": "/operations/"})
    assert response.status_code == 302
    assert response["Location"] == "/ru/operations/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert "Операции" in client.get("/ru/operations/").content.decode()


def test_lockout_page_in_russian(client: Client, make_customer: Callable[..., Customer]) -> None:
    make_customer(email="anna@example.com")
    for _ in range(5):
        response = client.post("/ru/login/", {"username": "anna@example.com", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "Вход заблокирован" in html
    assert "5 неудачных попыток" in html
    assert "через 15 минут" in html


def test_admin_in_russian(admin_client_: Client, make_account: Callable[..., Account]) -> None:
    make_account()
    html = admin_client_.get("/ru/admin/ledger/account/").content.decode()
    assert "Заблокировать выбранные счета" in html
    assert "Учёт" in html


def test_code_email_in_russian() -> None:
    owner = SimpleNamespace(full_name="Борис")
    context = {
        "customer": SimpleNamespace(full_name="Анна"),
        "operation": SimpleNamespace(
            kind="payment", description="Сделка 7", account=SimpleNamespace(number="4081")
        ),
        "code": "123456",
        "amount": "1\u00a0000,00\u00a0₽",
        "payees": [("4070", owner, "1\u00a0000,00\u00a0₽")],
        "minutes": 5,
        "bank_name": "Банк",
    }
    with translation.override("ru"):
        subject = render_to_string("operations/email/code_subject.txt", context)
        text = render_to_string("operations/email/code.txt", context)
    assert "123456 — ваш код для оплаты 1\u00a0000,00\u00a0₽" in subject
    assert "Здравствуйте, Анна." in text
    assert "Ваш код подтверждения: 123456" in text
    assert "Код действует 5 минут." in text
    assert "Получатель: Борис, 4070" in text


def test_switching_language_makes_the_code_emails_follow(
    make_customer: Callable[..., Customer],
) -> None:
    from django.test import Client

    customer = make_customer()
    client = Client()
    client.force_login(customer)
    response = client.post(reverse("web:language"), {"language": "ru", "next": "/"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.language == "ru"


def test_the_banks_own_descriptions_are_translated_on_statements(
    signed_in: Callable[[Customer], Client],
    make_customer: Callable[..., Customer],
    make_account: Callable[..., Account],
) -> None:
    customer = make_customer()
    account = make_account(balance=10_00, customer=customer)
    page = signed_in(customer).get(f"/ru/accounts/{account.number}/").content.decode()
    assert "Пополнение" in page


def test_a_russian_browser_gets_russian_without_the_prefix(client: Client) -> None:
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    assert '<html lang="ru">' in response.content.decode()
    assert response["Content-Language"] == "ru"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_chosen_language_holds_on_addresses_without_the_prefix(client: Client) -> None:
    client.post(reverse("web:language"), {"language": "en", "next": "/login/"})
    russian_browser = {"HTTP_ACCEPT_LANGUAGE": "ru"}
    assert '<html lang="en">' in client.get("/login/", **russian_browser).content.decode()
    client.post(reverse("web:language"), {"language": "ru", "next": "/login/"})
    assert '<html lang="ru">' in client.get("/login/").content.decode()
    # The address's prefix still wins over the cookie.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="ru">' in client.get("/ru/login/").content.decode()


def test_signing_in_brings_the_customers_language_back(
    client: Client, make_customer: Callable[..., Customer]
) -> None:
    make_customer(email="vera@example.com", language="ru")
    response = client.post(
        "/login/", {"username": "vera@example.com", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/ru/")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert '<html lang="ru">' in client.get("/").content.decode()


def test_signing_in_on_the_russian_page_stays_russian(
    client: Client, make_customer: Callable[..., Customer]
) -> None:
    make_customer(email="ed@example.com", language="en")
    response = client.post(
        "/ru/login/", {"username": "ed@example.com", "password": "correct-horse-battery"}
    )
    assert response["Location"].startswith("/ru/")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"


def test_a_russian_browser_s_sign_in_page_is_no_choice_over_the_profile(
    make_customer: Callable[..., Customer],
) -> None:
    """A Russian browser reads /ru/login/ (the links of a Russian page lead there) without
    choosing anything: an English customer signs in to English."""
    make_customer(email="ed@example.com", language="en")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    response = client.post(
        "/ru/login/", {"username": "ed@example.com", "password": "correct-horse-battery"}
    )
    assert response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_switch_holds_over_the_profile_when_signing_in(
    make_customer: Callable[..., Customer],
) -> None:
    make_customer(email="vera@example.com", language="ru")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    client.post(reverse("web:language"), {"language": "en", "next": "/login/"})
    response = client.post(
        "/login/", {"username": "vera@example.com", "password": "correct-horse-battery"}
    )
    assert response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()
