"""The platforms page: who may use each account, revoking one, declining a link request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from api.models import ApiClient
from api.services import api_client_create
from customers.models import Customer
from ledger.models import Account
from operations.models import AccountLink, Operation
from operations.selectors import linked_account_get
from operations.services import link_request

pytestmark = pytest.mark.django_db

PLATFORMS = reverse("web:platforms")


@pytest.fixture
def shop() -> ApiClient:
    client, _secret = api_client_create(name="Second shop")
    return client


def revoke_url(link: AccountLink) -> str:
    return reverse("web:link-revoke", args=[link.pk])


def owner_of(account: Account) -> Customer:
    assert account.customer is not None
    return account.customer


def test_the_owner_sees_each_account_with_the_platforms_that_may_use_it(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    platform: tuple[ApiClient, str],
    shop: ApiClient,
) -> None:
    account = make_account(link_to=platform[0])
    AccountLink.objects.create(client=shop, account=account)
    second = make_account(customer=owner_of(account), link_to=shop)
    theirs = make_account(link_to=platform[0])
    html = signed_in(owner_of(account)).get(PLATFORMS).content.decode()
    assert html.count('data-testid="link"') == 3
    assert "Second shop" in html
    assert platform[0].name in html
    assert "40817 810" in html  # grouped as the bank shows numbers
    for link in AccountLink.objects.filter(account__in=[account, second]):
        assert revoke_url(link) in html
    assert revoke_url(AccountLink.objects.get(account=theirs)) not in html


def test_a_revoked_link_is_not_listed(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    platform: tuple[ApiClient, str],
) -> None:
    account = make_account(link_to=platform[0])
    AccountLink.objects.filter(account=account).update(revoked_at="2026-01-01T00:00Z")
    html = signed_in(owner_of(account)).get(PLATFORMS).content.decode()
    assert 'data-testid="link"' not in html
    assert "No platform may use your accounts." in html


def test_revoking_asks_first_and_changes_nothing_on_get(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    platform: tuple[ApiClient, str],
) -> None:
    account = make_account(link_to=platform[0])
    link = AccountLink.objects.get(account=account)
    response = signed_in(owner_of(account)).get(revoke_url(link))
    assert response.status_code == 200
    assert 'data-testid="confirm-revoke"' in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None


def test_the_owner_revokes_and_the_platform_may_no_longer_use_the_account(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    platform: tuple[ApiClient, str],
) -> None:
    account = make_account(link_to=platform[0])
    link = AccountLink.objects.get(account=account)
    client = signed_in(owner_of(account))
    response = client.post(revoke_url(link), follow=True)
    assert response.redirect_chain[-1][0] == PLATFORMS
    assert "can no longer use your account" in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is not None
    with pytest.raises(Exception, match="not linked"):
        linked_account_get(client=platform[0], number=account.number)
    # Revoked once: the address is gone for good.
    assert client.post(revoke_url(link)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_customer_cannot_see_or_revoke_a_link(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    make_customer: Callable[..., Customer],
    platform: tuple[ApiClient, str],
    method: str,
) -> None:
    account = make_account(link_to=platform[0])
    link = AccountLink.objects.get(account=account)
    response = getattr(signed_in(make_customer()), method)(revoke_url(link))
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_cannot_revoke_a_customers_link_on_the_customer_pages(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    staff: Customer,
    platform: tuple[ApiClient, str],
    method: str,
) -> None:
    account = make_account(link_to=platform[0])
    link = AccountLink.objects.get(account=account)
    client = signed_in(staff)
    assert getattr(client, method)(revoke_url(link)).status_code == 404
    assert 'data-testid="link"' not in client.get(PLATFORMS).content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.parametrize("url", [PLATFORMS, "/platforms/1/revoke/"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, url: str) -> None:
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


def test_a_pending_link_request_is_listed_and_declined_from_the_page(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    shop: ApiClient,
) -> None:
    account = make_account()
    operation, _created = link_request(
        client=shop, account_number=account.number, idempotency_key="link-1"
    )
    client = signed_in(owner_of(account))
    html = client.get(PLATFORMS).content.decode()
    assert 'data-testid="link-request"' in html
    decline = reverse("web:operation-decline", args=[operation.public_id])
    assert decline in html
    response = client.post(decline, {"back": "platforms"})
    assert response["Location"] == PLATFORMS
    operation.refresh_from_db()
    assert operation.status == Operation.Status.FAILED
    assert not AccountLink.objects.filter(account=account).exists()
    assert 'data-testid="link-request"' not in client.get(PLATFORMS).content.decode()


def test_another_customers_link_request_is_not_shown(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    make_customer: Callable[..., Customer],
    shop: ApiClient,
) -> None:
    account = make_account()
    link_request(client=shop, account_number=account.number, idempotency_key="link-2")
    html = signed_in(make_customer()).get(PLATFORMS).content.decode()
    assert 'data-testid="link-request"' not in html


def test_the_platforms_page_in_russian(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    platform: tuple[ApiClient, str],
) -> None:
    account = make_account(link_to=platform[0])
    html = signed_in(owner_of(account)).get("/ru" + PLATFORMS).content.decode()
    assert "Платформы" in html
    assert "Отозвать" in html
