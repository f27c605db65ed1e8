"""Sign-in throttling keys on the client's address: a forged X-Forwarded-For does not evade
it, and behind a trusted proxy each client behind it is counted apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from customers.models import Customer

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # what conftest.make_customer sets
PROXY = "10.0.0.2"  # every request reaches the site from this address


def sign_in(forwarded: str, password: str) -> Any:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    return client.post(reverse("web:login"), {"username": "anna@example.com", "password": password})


def test_without_a_trusted_proxy_a_forged_forwarded_address_does_not_evade_the_lockout(
    settings: Settings, make_customer: Callable[..., Customer]
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    make_customer(email="anna@example.com")
    answers = [sign_in(f"203.0.113.{n}", f"wrong-{n}").status_code for n in range(5)]
    assert answers == [200] * 4 + [429]
    assert sign_in("198.51.100.99", PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_clients_are_throttled_apart(
    settings: Settings, make_customer: Callable[..., Customer]
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    make_customer(email="anna@example.com")
    attacker = [sign_in("203.0.113.5", f"wrong-{n}").status_code for n in range(5)]
    assert attacker == [200] * 4 + [429]
    assert sign_in("203.0.113.5", PASSWORD).status_code == 429
    # A client's own header left of the proxy's entry changes nothing.
    assert sign_in("198.51.100.7, 203.0.113.5", PASSWORD).status_code == 429
    # Anna herself, behind the same proxy from her own address, signs in.
    assert sign_in("198.51.100.7", PASSWORD).status_code == 302
