"""A sign-in username longer than django-axes can store is a form error, not a server
error: on the sign-in page and on the admin's, and the attempt is still counted."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LONG = "a" * 300 + "@example.com"


@pytest.mark.parametrize("length", [255, 256, 300, 5000])
def test_an_overlong_username_gets_a_clear_form_error(length: int) -> None:
    username = ("a" * length + "@example.com")[:length]
    response = Client(raise_request_exception=False).post(
        reverse("users:login"), {"username": username, "password": "whatever"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors  # too long, or simply not right


def test_an_overlong_username_names_the_limit() -> None:
    response = Client().post(reverse("users:login"), {"username": LONG, "password": "x"})
    assert "at most 254 characters" in " ".join(response.context["form"].errors["username"])


def test_the_admin_sign_in_counts_an_overlong_username_cut_to_fit() -> None:
    response = Client(raise_request_exception=False).post(
        reverse("admin:login"), {"username": LONG, "password": "x"}
    )
    assert response.status_code == 200
    attempt = AccessAttempt.objects.get()
    assert attempt.username == LONG[:255]
