from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import client_for, db_snapshot
from users.models import User

pytestmark = pytest.mark.django_db


def test_sign_in_redirects_in_the_users_language(make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("ru@example.com", language="ru")
    response = Client().post(
        reverse("users:login"), {"username": "ru@example.com", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/ru/"
    assert response.cookies["market_sessionid"].value


def test_sign_in_with_a_wrong_password_is_refused(user: User) -> None:
    response = Client().post(reverse("users:login"), {"username": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert "not right" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_login(user: User) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("users:login"), {"username": user.email, "password": "wrong"})
    response = client.post(
        reverse("users:login"), {"username": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 429


def test_sign_out_ends_the_session(user: User) -> None:
    client = client_for(user)
    response = client.post(reverse("users:logout"))
    assert response.status_code == 302
    assert client.get(reverse("users:profile")).status_code == 302


def test_profile_saves_name_and_language(user: User) -> None:
    client = client_for(user)
    response = client.post(reverse("users:profile"), {"name": "Olga O.", "language": "ru"})
    user.refresh_from_db()
    assert (user.name, user.language) == ("Olga O.", "ru")
    assert response["Location"] == "/ru/users/profile/"


def test_profile_with_an_empty_name_changes_nothing(user: User) -> None:
    client = client_for(user)
    before = db_snapshot()
    response = client.post(reverse("users:profile"), {"name": " ", "language": "ru"})
    assert response.status_code == 200
    assert db_snapshot() == before


def test_sign_in_keeps_the_language_chosen_on_this_device(make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("en@example.com", language="en")
    client = Client()
    client.cookies["market_language"] = "ru"
    response = client.post(
        "/users/login/", {"username": "en@example.com", "password": "correct-horse-battery"}
    )
    assert response["Location"] == "/ru/"
    assert response.cookies["market_language"].value == "ru"


def test_the_switch_holds_over_the_profile_in_a_russian_browser(
    make_user: Callable[..., User],
) -> None:
    make_user("ru@example.com", language="ru")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    client.cookies["market_language"] = "en"  # he switched to English on this device
    response = client.post(
        "/users/login/", {"username": "ru@example.com", "password": "correct-horse-battery"}
    )
    assert response["Location"] == "/"
    assert response.cookies["market_language"].value == "en"


@pytest.mark.parametrize(("browser", "profile"), [("ru-RU,ru;q=0.9", "en"), ("en-US", "ru")])
def test_a_device_where_nothing_was_chosen_gets_the_profile_language(
    make_user: Callable[..., User], browser: str, profile: str
) -> None:
    """The sign-in page read in the browser's language is no choice, though a Russian
    page's links lead to /ru/users/login/: the profile's language is the person's own."""
    make_user("p@example.com", language=profile)
    client = Client(HTTP_ACCEPT_LANGUAGE=browser)
    login = "/ru/users/login/" if browser.startswith("ru") else "/users/login/"
    response = client.post(
        login, {"username": "p@example.com", "password": "correct-horse-battery"}
    )
    assert response["Location"] == ("/ru/" if profile == "ru" else "/")
    assert response.cookies["market_language"].value == profile


def test_a_sign_in_address_in_another_language_than_the_browser_s_is_a_choice(
    make_user: Callable[..., User],
) -> None:
    make_user("en@example.com", language="en")
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US")
    response = client.post(
        "/ru/users/login/", {"username": "en@example.com", "password": "correct-horse-battery"}
    )
    assert response["Location"] == "/ru/"
    assert response.cookies["market_language"].value == "ru"
