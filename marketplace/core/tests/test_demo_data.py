"""Every demo login the README lists for the marketplace signs in through the real sign-in
page after ``demo_data``, staff into the admin too; running it again keeps them working."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conftest import account_number
from paylib.readme import demo_logins
from users.models import User

pytestmark = pytest.mark.django_db

README = demo_logins()
#: Listed in the README as "a bank customer who has not joined the marketplace yet".
BANK_ONLY = {"newcomer@demo.test"}
MARKETPLACE_LOGINS = sorted(set(README.logins) - BANK_ONLY)


@pytest.fixture
def bank_file(tmp_path: Path) -> Path:
    """What the bank's ``demo_data --output`` writes, with numbers of this test's own."""
    emails = [*README.logins, "platform@demo.test"]
    path = tmp_path / "bank.json"
    path.write_text(
        json.dumps(
            {
                "password": README.password,
                "accounts": {email: account_number() for email in emails},
            }
        )
    )
    return path


def test_the_bank_only_login_is_described_so() -> None:
    for email in BANK_ONLY:
        assert "not joined the marketplace" in README.logins[email]


@pytest.mark.parametrize("email", MARKETPLACE_LOGINS)
def test_every_demo_login_of_the_readme_signs_in(bank_file: Path, email: str) -> None:
    call_command("demo_data", bank_file=bank_file)
    client = Client()
    response = client.post(reverse("users:login"), {"username": email, "password": README.password})
    assert response.status_code == 302, f"{email}: {response.status_code}"
    admin = client.get(reverse("admin:index"))
    if "staff" in README.logins[email]:
        assert admin.status_code == 200
    else:
        assert admin.status_code == 302


def test_running_it_again_keeps_the_logins_and_mends_a_changed_password(
    bank_file: Path,
) -> None:
    call_command("demo_data", bank_file=bank_file)
    buyer = User.objects.get(email="buyer@demo.test")
    buyer.set_password("something-else-entirely")
    buyer.save()
    call_command("demo_data", bank_file=bank_file)
    assert User.objects.filter(email="buyer@demo.test").count() == 1
    response = Client().post(
        reverse("users:login"), {"username": "buyer@demo.test", "password": README.password}
    )
    assert response.status_code == 302


def test_demo_offers_are_described_in_their_sellers_language(bank_file: Path) -> None:
    from offers.models import Offer

    call_command("demo_data", "--bank-file", str(bank_file), verbosity=0)
    russian = Offer.objects.filter(seller__language="ru")
    english = Offer.objects.filter(seller__language="en")
    assert russian.exists()
    assert english.exists()
    assert all("Демонстрационное" in o.description for o in russian)
    assert all("demo offer" in o.description for o in english)
