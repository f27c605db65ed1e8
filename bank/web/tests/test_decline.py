"""The customer declines a pending operation on the bank's pages; only his own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiClient
from conftest import SignedClient
from customers.models import Customer
from ledger.models import Account
from operations.models import Operation
from operations.tests.helpers import (
    balances,
    confirm,
    execute_body,
    last_code,
    payment_body,
    start,
)
from operations.tests.test_expiry import platform_sees

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


def decline_url(op: str) -> str:
    return reverse("web:operation-decline", args=[op])


def owner(accounts: dict[str, Account]) -> Customer:
    customer = accounts["payer"].customer
    assert customer is not None
    return customer


@pytest.mark.smoke
def test_the_owner_declines_a_payment_and_the_platform_finds_it_over(
    api: SignedClient, accounts: dict[str, Account], signed_in: Callable[[Customer], Client]
) -> None:
    op = start(api, accounts)
    code = last_code()
    client = signed_in(owner(accounts))
    page = client.get(reverse("web:operations")).content.decode()
    assert decline_url(op) in page
    response = client.post(decline_url(op), follow=True)
    assert response.redirect_chain == [(reverse("web:operations"), 302)]
    html = response.content.decode()
    assert "The operation was declined. Its code no longer works." in html
    assert "You declined it." in html
    assert decline_url(op) not in html  # finished: no button any more
    assert platform_sees(api, op) == ("failed", "declined")
    assert api.get(f"/api/v1/operations/{op}/").json()["finished_at"]
    for answer in (confirm(api, op, code), api.post(f"/api/v1/operations/{op}/resend/")):
        assert answer.status_code == 409
        assert answer.json()["error"]["code"] == "operation_declined"
    assert Operation.objects.get(public_id=op).code_hash is None


def test_a_declined_link_request_links_nothing(
    api: SignedClient, make_account: Callable[..., Account], signed_in: Callable[[Customer], Client]
) -> None:
    account = make_account()
    op = api.post(
        "/api/v1/links/", {"account": account.number, "idempotency_key": "stranger-link-1"}
    ).json()["id"]
    code = last_code()
    assert account.customer is not None
    signed_in(account.customer).post(decline_url(op))
    assert confirm(api, op, code).json()["error"]["code"] == "operation_declined"
    assert api.get(f"/api/v1/accounts/{account.number}/balance/").status_code == 422


def test_a_confirmed_payment_declined_before_its_execution_moves_nothing(
    api: SignedClient, accounts: dict[str, Account], signed_in: Callable[[Customer], Client]
) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code()).json()["key"]
    signed_in(owner(accounts)).post(decline_url(op))
    executed = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    assert executed.status_code == 200
    assert (executed.json()["status"], executed.json()["failure_reason"]) == ("failed", "declined")
    assert balances(accounts) == {"payer": 1000_00, "seller": 0, "platform": 0}


def test_a_finished_operation_cannot_be_declined(
    api: SignedClient, accounts: dict[str, Account], signed_in: Callable[[Customer], Client]
) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code()).json()["key"]
    api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    response = signed_in(owner(accounts)).post(decline_url(op), follow=True)
    assert "This operation has already finished; nothing was changed." in response.content.decode()
    assert platform_sees(api, op) == ("done", "")


@pytest.mark.parametrize("who", ["anonymous", "another customer", "staff"])
def test_nobody_but_the_owner_can_decline(
    api: SignedClient,
    accounts: dict[str, Account],
    client: Client,
    make_customer: Callable[..., Customer],
    staff: Customer,
    who: str,
) -> None:
    op = start(api, accounts)
    if who == "another customer":
        client.force_login(make_customer())
    elif who == "staff":
        client.force_login(staff)
    response = client.post(decline_url(op))
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))
    else:
        assert response.status_code == 404
    assert platform_sees(api, op) == ("awaiting_code", "")
    assert confirm(api, op, last_code()).status_code == 200


def test_declining_takes_a_post_with_the_csrf_token(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner(accounts))
    assert client.get(decline_url(op)).status_code == 405
    assert client.post(decline_url(op)).status_code == 403
    assert platform_sees(api, op) == ("awaiting_code", "")
    page = client.get(reverse("web:operations"))
    token = page.cookies["bank_csrftoken"].value
    assert client.post(decline_url(op), {"csrfmiddlewaretoken": token}).status_code == 302
    assert platform_sees(api, op) == ("failed", "declined")


def test_a_malformed_operation_id_is_not_found(
    signed_in: Callable[[Customer], Client], make_customer: Callable[..., Customer]
) -> None:
    client = signed_in(make_customer())
    assert client.post("/operations/not-a-uuid/decline/").status_code == 404


def test_the_pending_list_drops_operations_the_sweep_ended(
    api: SignedClient, accounts: dict[str, Account], signed_in: Callable[[Customer], Client]
) -> None:
    from operations.lifecycle import operations_expire_stale

    op = start(api, accounts)
    api.post("/api/v1/payments/", payment_body(accounts, idempotency_key="still-pending"))
    Operation.objects.filter(public_id=op).update(
        code_sends=5, code_expires_at=timezone.now() - timedelta(seconds=1)
    )
    client = signed_in(owner(accounts))
    assert len(client.get(reverse("web:operations")).context["pending"]) == 2
    operations_expire_stale()
    response = client.get(reverse("web:operations"))
    assert [str(o.public_id) for o in response.context["page"]] == [op]
    assert len(response.context["pending"]) == 1
    assert "No confirmation code was entered in time." in response.content.decode()
