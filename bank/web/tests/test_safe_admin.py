"""Forged values in the admin are refused with a form error, a message or a redirect, not
a 500 (all found by the fuzzer): an autocomplete value that is no key, an action on a row
that is no key, a date-hierarchy number too large for ``datetime()``. The admin site puts
this under every ModelAdmin (paylib.safe_admin)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.test import Client

from customers.models import Customer
from paylib.safe_admin import KeySafeMixin, SafeAdminSite

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(make_customer: Callable[..., Customer]) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(make_customer(email="s@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("customer", ["x", "9" * 400, "-1"])
def test_an_autocomplete_value_that_is_no_key_is_a_form_error(
    staff_client: Client, customer: str
) -> None:
    response = staff_client.post(
        "/admin/ledger/account/add/",
        {"customer": customer, "name": "Current", "holder": "person", "_save": "Save"},
    )
    assert response.status_code == 200
    assert "customer" in response.context["adminform"].form.errors


@pytest.mark.parametrize("selected", ["x", "9" * 400, ""])
def test_an_action_on_a_row_that_is_no_key_changes_nothing(
    staff_client: Client, make_customer: Callable[..., Customer], selected: str
) -> None:
    make_customer(email="kept@example.com")
    response = staff_client.post(
        "/admin/customers/customer/",
        {"_selected_action": selected, "action": "delete_selected", "index": "0"},
    )
    assert response.status_code == 302
    assert Customer.objects.filter(email="kept@example.com").exists()


@pytest.mark.parametrize("part", ["day", "month", "year"])
def test_a_date_hierarchy_number_too_large_is_a_bad_lookup(staff_client: Client, part: str) -> None:
    response = staff_client.get(
        "/admin/ledger/posting/", {"created_at__year": "2026", f"created_at__{part}": "9" * 300}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_every_registered_admin_is_hardened() -> None:
    assert isinstance(admin.site, SafeAdminSite)
    for model_admin in admin.site._registry.values():
        assert isinstance(model_admin, KeySafeMixin), model_admin
