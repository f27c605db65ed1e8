"""Sign-in throttling and the email rate limits key on the client's address: a forged
X-Forwarded-For evades neither, and behind a trusted proxy each client is counted apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from users.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # what conftest.make_user sets
PROXY = "10.0.0.2"  # every request reaches the site from this address
Capture = Callable[..., Any]


def behind_proxy(forwarded: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def sign_in(forwarded: str, email: str, password: str) -> Any:
    return behind_proxy(forwarded).post(
        reverse("users:login"), {"username": email, "password": password}
    )


def ask_reset(capture: Capture, forwarded: str, email: str) -> Any:
    with capture(execute=True):
        return behind_proxy(forwarded).post(reverse("users:password_reset"), {"email": email})


def test_without_a_trusted_proxy_forged_addresses_evade_neither_lockout_nor_limit(
    settings: Settings, user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    settings.ACCOUNT_EMAIL_LIMIT_PER_IP = 2
    answers = [sign_in(f"203.0.113.{n}", user.email, "wrong").status_code for n in range(5)]
    assert answers == [200] * 4 + [429]
    assert sign_in("198.51.100.99", user.email, PASSWORD).status_code == 429
    resets = [
        ask_reset(django_capture_on_commit_callbacks, f"203.0.113.{n}", f"p{n}@example.com")
        for n in range(3)
    ]
    assert [r.status_code for r in resets] == [302, 302, 429]


def test_behind_a_trusted_proxy_clients_are_throttled_apart(
    settings: Settings,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_EMAIL_LIMIT_PER_IP = 2
    anna = make_user("anna@example.com")
    attacker = [sign_in("203.0.113.5", anna.email, "wrong").status_code for _ in range(5)]
    assert attacker == [200] * 4 + [429]
    assert sign_in("10.6.6.6, 203.0.113.5", anna.email, PASSWORD).status_code == 429
    assert sign_in("198.51.100.7", anna.email, PASSWORD).status_code == 302
    # The email limit per address too: one client spends it, another is not held up.
    spent = [
        ask_reset(django_capture_on_commit_callbacks, "203.0.113.5", f"p{n}@example.com")
        for n in range(3)
    ]
    assert [r.status_code for r in spent] == [302, 302, 429]
    assert (
        ask_reset(django_capture_on_commit_callbacks, "198.51.100.7", anna.email).status_code == 302
    )
    assert [m.to for m in mail.outbox] == [[anna.email]]
