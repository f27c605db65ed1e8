"""Every demo login the README lists signs in to the bank's real sign-in page after
``demo_data``, staff into the admin too; and running it again keeps them working."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse, translate_url

from customers.models import Customer
from paylib.readme import demo_logins

pytestmark = pytest.mark.django_db

README = demo_logins()


def _signs_in(email: str) -> Client:
    client = Client()
    # The English address: the one the README gives (a /ru/ one would keep Russian).
    response = client.post("/login/", {"username": email, "password": README.password})
    assert response.status_code == 302, f"{email}: {response.status_code}"
    # Signing in where no language was chosen brings the customer's: a Russian one lands
    # on /ru/.
    language = Customer.objects.get(email=email).language
    assert response["Location"] == translate_url(reverse("web:accounts"), language)
    return client


def test_the_readme_lists_the_demo_logins() -> None:
    assert "staff@demo.test" in README.logins
    assert len(README.logins) >= 6


@pytest.mark.parametrize("email", sorted(README.logins))
def test_every_demo_login_of_the_readme_signs_in(tmp_path: Path, email: str) -> None:
    call_command("demo_data", output=tmp_path / "bank.json")
    client = _signs_in(email)
    admin = client.get(reverse("admin:index"))
    if "staff" in README.logins[email]:
        assert admin.status_code == 200
    else:
        assert admin.status_code == 302  # to the admin's own sign-in


def test_a_staff_row_left_without_a_password_is_mended(tmp_path: Path) -> None:
    # What the old demo_data left: get_or_create with an empty hash, "usable" to Django.
    Customer.objects.create(email="staff@demo.test", full_name="Bank Staff", is_staff=True)
    assert Customer.objects.get().has_usable_password()
    call_command("demo_data", output=tmp_path / "bank.json")
    call_command("demo_data", output=tmp_path / "bank.json")  # safe to run again
    _signs_in("staff@demo.test")
    assert Customer.objects.filter(email="staff@demo.test").count() == 1


def test_each_demo_account_is_named_in_its_owners_language(tmp_path: Path) -> None:
    call_command("demo_data", output=tmp_path / "bank.json")
    names = {c.email: c.accounts.get().name for c in Customer.objects.filter(is_staff=False)}
    assert names["pokupatel@demo.test"] == names["prodavec@demo.test"] == "Текущий"
    assert names["buyer@demo.test"] == names["seller@demo.test"] == "Current"
