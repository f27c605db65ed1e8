"""A NUL or another control character in an address is a 400 on every page, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from conftest import SignedClient
from customers.models import Customer
from ledger.models import Account

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

PAGES = [
    "/accounts/%00/",  # PostgreSQL refuses NUL in a string: this was a 500
    "/accounts/40817810000000000001%00/",
    "/accounts/%0A/",
    "/accounts/%7F/",
    "/operations/?page=%00",
    "/operations/?page=1%0D%0A",
    "/login/?next=%00",
    "/admin/ledger/account/%00/change/",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_control_character_in_a_page_address_is_a_bad_request(
    signed_in: Callable[[Customer], Client], make_account: Callable[..., Account], path: str
) -> None:
    customer = make_account(balance=1_00).customer
    response = signed_in(customer).get(path)
    assert response.status_code == 400
    assert "The bank could not understand this request." in response.content.decode()


@pytest.mark.parametrize("path", [*PAGES[:2], "/ru/accounts/%00/"])
def test_it_is_a_bad_request_before_signing_in_too(client: Client, path: str) -> None:
    assert client.get(path).status_code == 400


@pytest.mark.parametrize(
    "path",
    ["/api/v1/operations/%00/", "/api/v1/accounts/%00/balance/", "/api/v1/operations/x/?a=%1b"],
)
def test_an_api_path_with_a_control_character_is_a_json_bad_request(
    api: SignedClient, path: str
) -> None:
    response = api.get(path)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_the_page_speaks_the_language_of_its_address(client: Client) -> None:
    response = client.get("/ru/accounts/%00/")
    assert response.status_code == 400
    assert "Банк не смог разобрать этот запрос." in response.content.decode()


def test_ordinary_escapes_still_work(
    signed_in: Callable[[Customer], Client], make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=1_00)
    response = signed_in(account.customer).get(f"/accounts/{account.number}/?x=%20%C3%A9")
    assert response.status_code == 200
