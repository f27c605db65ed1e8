"""The Content-Security-Policy on every page, and language cookies as safe as the session's."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from users.models import User

pytestmark = pytest.mark.django_db

STRICT = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]


@pytest.mark.parametrize("path", ["/", "/users/login/", "/ru/users/signup/", "/admin/login/"])
def test_every_page_has_a_strict_policy(path: str) -> None:
    policy = Client().get(path)["Content-Security-Policy"]
    for directive in STRICT:
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_no_template_of_ours_has_an_inline_script_or_style(user: User) -> None:
    client = Client()
    client.force_login(user)
    for name in ["offers:catalogue", "offers:create", "deals:list", "users:profile"]:
        html = client.get(reverse(name)).content.decode()
        assert "<script>" not in html
        assert "<style" not in html
        assert 'style="' not in html


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_the_language_cookie_set_at_sign_in_follows_the_cookie_settings(
    make_user,  # type: ignore[no-untyped-def]
) -> None:
    make_user("ru@example.com", language="ru")
    response = Client().post(
        reverse("users:login"), {"username": "ru@example.com", "password": "correct-horse-battery"}
    )
    cookie = response.cookies["market_language"]
    assert cookie.value == "ru"
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_the_language_switch_cookie_is_secure_in_production() -> None:
    response = Client().post("/i18n/setlang/", {"language": "ru", "next": "/"})
    cookie = response.cookies["market_language"]
    assert cookie["secure"]
    assert cookie["httponly"]
