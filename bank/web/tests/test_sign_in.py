"""Signing in and out, and the lockout after too many wrong passwords."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # what conftest.make_customer sets


def sign_in(client: Client, email: str, password: str) -> Any:
    return client.post(reverse("web:login"), {"username": email, "password": password})


def test_sign_in_page_has_labelled_fields(client: Client) -> None:
    html = client.get(reverse("web:login")).content.decode()
    assert '<label for="id_username">Email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'name="viewport"' in html


def test_customer_signs_in_with_email_and_lands_on_accounts(
    client: Client, make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer(email="anna@example.com")
    response = sign_in(client, "Anna@Example.com", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:accounts")
    assert client.get(reverse("web:accounts")).context["user"] == customer


def test_wrong_password_shows_an_error_and_does_not_sign_in(
    client: Client, make_customer: Callable[..., Customer]
) -> None:
    make_customer(email="anna@example.com")
    response = sign_in(client, "anna@example.com", "wrong")
    assert response.status_code == 200
    assert "The email or the password is not right." in response.content.decode()
    assert client.get(reverse("web:accounts")).status_code == 302


def test_a_missing_field_is_reported_next_to_it(client: Client) -> None:
    response = client.post(reverse("web:login"), {"username": "", "password": "x"})
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert '<small id="id_username_error" class="field-error">This field is required.' in html


@pytest.mark.smoke
def test_five_wrong_passwords_lock_sign_in(
    client: Client, make_customer: Callable[..., Customer]
) -> None:
    make_customer(email="anna@example.com")
    responses = [sign_in(client, "anna@example.com", f"wrong-{i}") for i in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    locked = responses[4]
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in locked" in html
    assert "5 failed attempts" in html
    assert "15 minutes" in html
    # Even the right password does not get in while the lock lasts.
    again = sign_in(client, "anna@example.com", PASSWORD)
    assert again.status_code == 429
    assert client.get(reverse("web:accounts")).status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(
    signed_in: Callable[[Customer], Client], make_customer: Callable[..., Customer]
) -> None:
    client = signed_in(make_customer())
    assert client.get(reverse("web:logout")).status_code == 405
    assert client.get(reverse("web:accounts")).status_code == 200
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:login")
    assert client.get(reverse("web:accounts")).status_code == 302


def test_signed_in_customer_visiting_sign_in_goes_to_accounts(
    signed_in: Callable[[Customer], Client], make_customer: Callable[..., Customer]
) -> None:
    response = signed_in(make_customer()).get(reverse("web:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:accounts")


def test_a_lockout_does_not_lock_other_customers_at_the_same_address(
    client: Client, make_customer: Callable[..., Customer]
) -> None:
    make_customer(email="anna@example.com")
    make_customer(email="boris@example.com")
    for i in range(5):
        sign_in(client, "anna@example.com", f"wrong-{i}")
    assert sign_in(client, "boris@example.com", PASSWORD).status_code == 302
