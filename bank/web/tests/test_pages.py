"""The customer pages: who may see what, and that the numbers on them are right."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer
from ledger.models import Account
from ledger.services import Leg, deposit_create, posting_create

pytestmark = pytest.mark.django_db

PAGES = ["web:accounts", "web:operations"]


def statement_url(account: Account) -> str:
    return reverse("web:statement", args=[account.number])


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login") + "?next=")


def test_anonymous_visitor_cannot_see_a_statement(
    client: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=100_00)
    response = client.get(statement_url(account))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert account.number not in response.content.decode()


def test_accounts_page_lists_only_the_customers_own_accounts(
    signed_in: Callable[[Customer], Client], make_account: Callable[..., Account]
) -> None:
    mine = make_account(balance=1_234_50)
    theirs = make_account(balance=99_00)
    response = signed_in(mine.customer).get(reverse("web:accounts"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1,234.50\u00a0₽" in html
    assert mine.number[:5] in html
    assert statement_url(mine) in html
    assert statement_url(theirs) not in html


def test_account_number_is_grouped_for_reading(
    signed_in: Callable[[Customer], Client], make_account: Callable[..., Account]
) -> None:
    account = make_account()
    n = account.number
    grouped = f"{n[:5]} {n[5:8]} {n[8]} {n[9:13]} {n[13:]}"
    assert grouped in signed_in(account.customer).get(reverse("web:accounts")).content.decode()


@pytest.mark.smoke
def test_another_customers_statement_is_not_found(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    make_customer: Callable[..., Customer],
) -> None:
    account = make_account(balance=500_00)
    response = signed_in(make_customer()).get(statement_url(account))
    assert response.status_code == 404
    assert "500.00" not in response.content.decode()


def test_the_banks_own_account_is_not_found(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
) -> None:
    account = make_account(balance=1_00)
    cash = Account.objects.get(code="cash")
    assert signed_in(account.customer).get(statement_url(cash)).status_code == 404


@pytest.mark.smoke
def test_statement_shows_entries_newest_first_with_running_balance(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
) -> None:
    account = make_account()
    payee = make_account()
    deposit_create(account=account, amount=1_000_00, created_by=None, description="Salary")
    posting_create(
        kind="payment", description="Rent", legs=[Leg(account.pk, -300_50), Leg(payee.pk, 300_50)]
    )
    response = signed_in(account.customer).get(statement_url(account))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Balance: <strong" in html
    assert html.index("Rent") < html.index("Salary")
    assert "\u22121,234" not in html
    assert "\u2212300.50\u00a0₽" in html
    assert "+1,000.00\u00a0₽" in html
    # Running balance: 1,000.00 after the salary, 699.50 after the rent (also the balance).
    entries = list(response.context["page"])
    assert [e.balance_after for e in entries] == [699_50, 1_000_00]
    assert html.count("699.50\u00a0₽") == 2


def test_statement_is_paginated_25_per_page(
    signed_in: Callable[[Customer], Client], make_account: Callable[..., Account]
) -> None:
    account = make_account()
    for i in range(1, 28):
        deposit_create(account=account, amount=i * 100, created_by=None, description=f"Top-up {i}")
    client = signed_in(account.customer)
    first = client.get(statement_url(account))
    second = client.get(statement_url(account), {"page": 2})
    assert len(first.context["page"]) == 25
    assert first.context["page"][0].posting.description == "Top-up 27"
    assert [e.posting.description for e in second.context["page"]] == ["Top-up 2", "Top-up 1"]
    assert "Page 2 of 2" in second.content.decode()
    assert second.context["page"][-1].balance_after == 100
    # A page number out of range shows the last page rather than an error.
    assert client.get(statement_url(account), {"page": 99}).context["page"].number == 2


def test_statement_runs_a_fixed_number_of_queries(
    signed_in: Callable[[Customer], Client], make_account: Callable[..., Account]
) -> None:
    account = make_account()
    client = signed_in(account.customer)
    deposit_create(account=account, amount=100, created_by=None)
    with CaptureQueriesContext(connection) as few:
        client.get(statement_url(account))
    for _ in range(10):
        deposit_create(account=account, amount=100, created_by=None)
    with CaptureQueriesContext(connection) as many:
        client.get(statement_url(account))
    assert len(many) == len(few)
