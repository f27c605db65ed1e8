"""The Content-Security-Policy on every page of the bank (the Swagger page included), and a
language cookie as safe as the session's."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/login/", "/ru/login/", "/admin/login/", "/api/docs/"])
def test_every_page_has_a_strict_policy(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'"]:
        assert directive in policy
    assert "unsafe-inline" not in policy


def test_the_swagger_page_has_no_inline_script_or_style() -> None:
    html = Client().get("/api/docs/").content.decode()
    assert "<style" not in html
    assert "<script>" not in html
    assert "/api/docs/?script=" in html
    script = Client().get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_the_language_cookie_is_secure_in_production() -> None:
    response = Client().post("/language/", {"language": "ru", "next": "/login/"})
    cookie = response.cookies["django_language"]
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
