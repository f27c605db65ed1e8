from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import SettlementAccount
from conftest import (
    FakeBank,
    account_number,
    client_for,
    db_snapshot,
    form_key,
    number_with_a_typo,
)
from paylib.accounts import group_account_number
from users.models import User

pytestmark = pytest.mark.django_db


def test_the_whole_linking_flow(user: User, fake_bank: FakeBank) -> None:
    client = client_for(user)
    number = account_number()
    response = client.post(
        reverse("accounts:add"), {"number": number, "idempotency_key": form_key()}
    )
    account = SettlementAccount.objects.get()
    assert response["Location"] == reverse("accounts:confirm", args=[account.pk])
    page = client.get(response["Location"]).content.decode()
    assert number in page
    response = client.post(reverse("accounts:confirm", args=[account.pk]), {"code": "000000"})
    assert "2 attempts left" in response.content.decode()
    response = client.post(reverse("accounts:confirm", args=[account.pk]), {"code": FakeBank.CODE})
    assert response["Location"] == reverse("accounts:list")
    account.refresh_from_db()
    assert account.status == "linked"
    listing = client.get(reverse("accounts:list")).content.decode()
    assert group_account_number(number) in listing  # grouped as the bank shows it
    assert "Default" in listing


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Enter the account number."),
        ("123", "exactly 20 digits"),
        ("4081781000000000000a", "digits only"),
        ("typo", "control digit"),
    ],
)
def test_bad_numbers_are_explained_and_change_nothing(
    user: User, fake_bank: FakeBank, number: str, message: str
) -> None:
    client = client_for(user)
    number = number_with_a_typo() if number == "typo" else number
    before = db_snapshot()
    response = client.post(
        reverse("accounts:add"), {"number": number, "idempotency_key": form_key()}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert db_snapshot() == before
    assert fake_bank.calls == []


@pytest.mark.parametrize("code", ["", "12", "abcdef", "123456789"])
def test_malformed_codes_never_reach_the_bank(user: User, fake_bank: FakeBank, code: str) -> None:
    client = client_for(user)
    client.post(
        reverse("accounts:add"), {"number": account_number(), "idempotency_key": form_key()}
    )
    account = SettlementAccount.objects.get()
    before = db_snapshot()
    response = client.post(reverse("accounts:confirm", args=[account.pk]), {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert db_snapshot() == before
    assert fake_bank.call_names() == ["link_request"]


def test_resend_default_and_remove_buttons(user: User, fake_bank: FakeBank) -> None:
    client = client_for(user)
    client.post(
        reverse("accounts:add"), {"number": account_number(), "idempotency_key": form_key()}
    )
    account = SettlementAccount.objects.get()
    response = client.post(reverse("accounts:resend", args=[account.pk]), follow=True)
    assert "A new code is on its way." in response.content.decode()
    client.post(reverse("accounts:confirm", args=[account.pk]), {"code": FakeBank.CODE})
    response = client.post(reverse("accounts:default", args=[account.pk]))
    assert response.status_code == 302
    assert client.get(reverse("accounts:remove", args=[account.pk])).status_code == 200
    client.post(reverse("accounts:remove", args=[account.pk]))
    assert not SettlementAccount.objects.exists()
    assert fake_bank.call_names()[-1] == "link_revoke"


def test_a_double_submit_of_the_add_form_asks_the_bank_for_one_code(
    user: User, fake_bank: FakeBank
) -> None:
    client = client_for(user)
    data = {"number": account_number(), "idempotency_key": form_key()}
    first = client.post(reverse("accounts:add"), data)
    second = client.post(reverse("accounts:add"), data)
    account = SettlementAccount.objects.get()
    assert first["Location"] == second["Location"] == reverse("accounts:confirm", args=[account.pk])
    assert fake_bank.call_names() == ["link_request"]
    # The form shown again (a new key) is a new attempt: the bank sends a new code.
    client.post(reverse("accounts:add"), {**data, "idempotency_key": form_key()})
    assert fake_bank.call_names() == ["link_request", "link_request"]
