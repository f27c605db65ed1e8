"""A sign-in username longer than django-axes can store is a form error, not a server
error: on the bank's sign-in page and on the admin's, and the attempt is still counted."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LONG = "a" * 300 + "@example.com"


@pytest.mark.parametrize("username", [LONG, "a" * 5000, "x" * 256])
def test_an_overlong_username_gets_a_form_error(username: str) -> None:
    response = Client(raise_request_exception=False).post(
        reverse("web:login"), {"username": username, "password": "whatever"}
    )
    assert response.status_code == 200
    assert "username" in response.context["form"].errors


def test_the_admin_sign_in_counts_an_overlong_username_cut_to_fit() -> None:
    response = Client(raise_request_exception=False).post(
        reverse("admin:login"), {"username": LONG, "password": "x"}
    )
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == LONG[:255]
