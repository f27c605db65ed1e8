"""Fixtures of the customer pages' and the admin's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.utils import translation

from customers.models import Customer


@pytest.fixture(autouse=True)
def english_by_default() -> Iterator[None]:
    """A request to /ru/... leaves Russian active in the thread; start each test in English."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def signed_in(client: Client) -> Callable[[Customer], Client]:
    """The test client, signed in as the given customer (bypassing axes' credential check)."""

    def sign_in(customer: Customer) -> Client:
        client.force_login(customer)
        return client

    return sign_in


@pytest.fixture
def staff(make_customer: Callable[..., Customer]) -> Customer:
    return make_customer(email="staff@bank.example", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client_(client: Client, staff: Customer) -> Client:
    client.force_login(staff)
    return client
