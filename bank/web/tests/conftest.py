"""Fixtures of the customer pages' and the admin's tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from customers.models import Customer


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
