"""The owner lifts the block that wrong codes, or a stranger's link requests, put on his
account; nobody else can."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from api.models import ApiClient
from conftest import SignedClient
from customers.models import Customer
from ledger.models import Account
from operations.models import CodeEvent, Operation
from operations.tests.helpers import confirm, last_code, payment_body, wrong

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(
    platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> dict[str, Account]:
    return {
        "payer": make_account(balance=1000_00, link_to=platform[0]),
        "seller": make_account(),
        "platform": make_account(),
    }


class Guesser:
    def __init__(self, api: SignedClient, accounts: dict[str, Account]) -> None:
        self.api, self.accounts, self.n = api, accounts, 0

    def new_payment(self) -> Operation | None:
        """A new payment operation, or None if the account's codes are blocked."""
        self.n += 1
        key = f"guess-round-{self.n:04d}"
        body = payment_body(self.accounts, idempotency_key=key)
        response = self.api.post("/api/v1/payments/", body)
        if response.status_code == 429:
            assert response.json()["error"]["code"] == "account_codes_blocked"
            return None
        assert response.status_code == 201, response.content
        return Operation.objects.get(public_id=response.json()["id"])

    def spend_the_budget(self) -> None:
        """Twenty wrong codes, four per operation."""
        for _ in range(5):
            operation = self.new_payment()
            assert operation is not None
            for _ in range(4):
                answer = confirm(self.api, str(operation.public_id), wrong(last_code()))
                assert answer.json()["error"]["code"] == "invalid_code"


@pytest.fixture
def blocked(api: SignedClient, accounts: dict[str, Account]) -> Guesser:
    guesser = Guesser(api, accounts)
    guesser.spend_the_budget()
    assert guesser.new_payment() is None  # blocked
    return guesser


def unblock_url(account: Account) -> str:
    return reverse("web:account-codes-unblock", args=[account.number])


def owner(accounts: dict[str, Account]) -> Customer:
    customer = accounts["payer"].customer
    assert customer is not None
    return customer


@pytest.mark.smoke
def test_the_owner_sees_the_block_and_lifts_it(
    blocked: Guesser, accounts: dict[str, Account], signed_in: Callable[[Customer], Client]
) -> None:
    client = signed_in(owner(accounts))
    page = client.get(reverse("web:accounts"))
    assert page.context["codes_blocked"] == {accounts["payer"].pk}
    html = page.content.decode()
    assert unblock_url(accounts["payer"]) in html
    assert "were entered wrong lately" in html
    response = client.post(unblock_url(accounts["payer"]), follow=True)
    assert response.redirect_chain == [(reverse("web:accounts"), 302)]
    assert "Codes for this account work again." in response.content.decode()
    assert response.context["codes_blocked"] == set()
    assert unblock_url(accounts["payer"]) not in response.content.decode()
    operation = blocked.new_payment()
    assert operation is not None
    assert confirm(blocked.api, str(operation.public_id), last_code()).status_code == 200


def test_lifting_starts_a_fresh_window_that_no_new_code_resets(
    blocked: Guesser, accounts: dict[str, Account], signed_in: Callable[[Customer], Client]
) -> None:
    signed_in(owner(accounts)).post(unblock_url(accounts["payer"]))
    blocked.spend_the_budget()  # twenty more, and no more than that
    assert blocked.new_payment() is None
    assert CodeEvent.objects.filter(kind="wrong").count() == 40


def test_the_page_shows_no_block_when_there_is_none(
    accounts: dict[str, Account], signed_in: Callable[[Customer], Client]
) -> None:
    client = signed_in(owner(accounts))
    html = client.get(reverse("web:accounts")).content.decode()
    assert unblock_url(accounts["payer"]) not in html
    response = client.post(unblock_url(accounts["payer"]), follow=True)
    assert "Codes for this account were not blocked." in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "another customer", "staff"])
def test_nobody_but_the_owner_can_lift_the_block(
    blocked: Guesser,
    accounts: dict[str, Account],
    client: Client,
    make_customer: Callable[..., Customer],
    staff: Customer,
    who: str,
) -> None:
    if who == "another customer":
        client.force_login(make_customer())
    elif who == "staff":
        client.force_login(staff)
    response = client.post(unblock_url(accounts["payer"]))
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))
    else:
        assert response.status_code == 404
    assert blocked.new_payment() is None  # still blocked


def test_lifting_takes_a_post_with_the_csrf_token(
    blocked: Guesser, accounts: dict[str, Account]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner(accounts))
    assert client.get(unblock_url(accounts["payer"])).status_code == 405
    assert client.post(unblock_url(accounts["payer"])).status_code == 403
    assert blocked.new_payment() is None


def test_the_block_page_in_russian(
    blocked: Guesser, accounts: dict[str, Account], signed_in: Callable[[Customer], Client]
) -> None:
    html = signed_in(owner(accounts)).get("/ru/").content.decode()
    assert "в последнее время слишком часто вводили неверно" in html
    assert "Снова разрешить коды" in html


def test_a_customer_mailed_by_a_strangers_link_requests_lifts_the_limit_to_link_himself(
    api: SignedClient, make_account: Callable[..., Account], signed_in: Callable[[Customer], Client]
) -> None:
    victim = make_account()
    assert victim.customer is not None

    def link(key: str) -> Any:
        body = {"account": victim.number, "idempotency_key": key}
        return api.post("/api/v1/links/", body)

    for n in range(10):
        assert link(f"stranger-{n:04d}").status_code == 201
    assert link("stranger-more").json()["error"]["code"] == "code_email_limit"
    client = signed_in(victim.customer)
    page = client.get(reverse("web:accounts"))
    assert page.context["links_limited"] == {victim.pk}
    assert page.context["codes_blocked"] == set()
    assert "Allow link requests again" in page.content.decode()
    russian = client.get("/ru/").content.decode()
    assert "Снова разрешить запросы привязки" in russian
    client.post(unblock_url(victim))
    mine = link("my-own-link-1")
    assert mine.status_code == 201
    assert confirm(api, mine.json()["id"], last_code()).status_code == 200
