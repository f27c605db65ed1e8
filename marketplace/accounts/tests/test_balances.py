"""The "Bank accounts" page shows each linked account's available balance, asked of the
bank once per account; one the bank cannot answer shows as unavailable, never a 500."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import SettlementAccount
from bank_client import BankRefused, BankUnavailable
from conftest import FakeBank, client_for
from paylib.accounts import group_account_number
from users.models import User

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:list")


def balances_shown(html: str) -> list[str]:
    """The balance cells' contents, whatever other attributes the cells carry."""
    return re.findall(r'<td[^>]*data-testid="balance"[^>]*>(.*?)</td>', html, flags=re.S)


def test_each_linked_account_shows_its_balance_grouped_as_the_bank_shows_it(
    user: User, fake_bank: FakeBank, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    first = make_linked_account(user)
    second = make_linked_account(user, default=False)
    fake_bank.balances = {first.number: 1_234_50, second.number: 7_00}
    html = client_for(user).get(LIST).content.decode()
    assert balances_shown(html) == ["1,234.50\u00a0₽", "7.00\u00a0₽"]
    assert group_account_number(first.number) in html
    assert fake_bank.call_names().count("balance") == 2


def test_a_pending_account_is_not_asked_about(
    user: User, fake_bank: FakeBank, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    SettlementAccount.objects.create(
        user=user, number="40817810000000000009", status=SettlementAccount.Status.PENDING
    )
    html = client_for(user).get(LIST).content.decode()
    assert len(balances_shown(html)) == 2
    assert "—" in balances_shown(html)
    assert fake_bank.call_names().count("balance") == 1


def test_a_refused_balance_shows_as_unavailable_and_the_rest_still_show(
    user: User, fake_bank: FakeBank, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    first = make_linked_account(user)
    second = make_linked_account(user, default=False)
    fake_bank.balances = {second.number: 5_00}
    fake_bank.fail_on["balance"] = BankRefused("account_not_available", "Not linked.", status=422)
    response = client_for(user).get(LIST)
    assert response.status_code == 200
    shown = balances_shown(response.content.decode())
    assert "balance unavailable right now" in shown[0]
    assert shown[1] == "5.00\u00a0₽"
    assert first.number  # the page lists it all the same


def test_the_bank_down_shows_every_balance_unavailable(
    user: User, fake_bank: FakeBank, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    make_linked_account(user, default=False)
    fake_bank.fail_on["balance"] = BankUnavailable("Timed out.")
    response = client_for(user).get(LIST)
    assert response.status_code == 200
    assert all("unavailable" in shown for shown in balances_shown(response.content.decode()))
    assert fake_bank.call_names().count("balance") == 1  # one timeout is enough


def test_another_users_balances_are_not_shown(
    user: User,
    other_user: User,
    fake_bank: FakeBank,
    make_linked_account: Callable[..., SettlementAccount],
) -> None:
    theirs = make_linked_account(other_user)
    fake_bank.balances = {theirs.number: 99_00}
    html = client_for(user).get(LIST).content.decode()
    assert "99.00" not in html
    assert theirs.number not in html
    assert fake_bank.call_names() == []


def test_the_balances_in_russian(
    user: User, fake_bank: FakeBank, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    account = make_linked_account(user)
    fake_bank.balances = {account.number: 1_234_50}
    html = client_for(user).get("/ru" + LIST).content.decode()
    assert balances_shown(html) == ["1\u00a0234,50\u00a0₽"]
    assert "Доступно" in html
