"""Fixtures shared by the bank's tests: API clients that sign, customers with money."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.servers import basehttp
from django.test import Client, TestCase
from django.utils import translation

from api.models import ApiClient
from api.services import api_client_create
from customers.models import Customer
from ledger.models import Account
from ledger.services import account_open, deposit_create
from operations.models import AccountLink
from paylib import signing

# The live test server's listen backlog (10) is too short for the bursts the concurrency
# tests fire; a production server (gunicorn) listens with 2048.
basehttp.WSGIServer.request_queue_size = 128


def keyed(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """``data`` with a fresh idempotency key, as every write of the API needs one."""
    return {**(data or {}), "idempotency_key": f"test:{secrets.token_hex(8)}"}


class SignedClient:
    """Calls the API the way the platform does: every request signed with a fresh nonce."""

    def __init__(self, client_id: str, secret: str) -> None:
        self.client_id = client_id
        self.secret = secret
        self.http = Client()

    def headers(self, method: str, path: str, body: bytes, **overrides: Any) -> dict[str, str]:
        headers = signing.signed_headers(
            client_id=self.client_id, secret=self.secret, method=method, path=path, body=body
        )
        headers.update(overrides)
        return headers

    def request(self, method: str, path: str, data: Any = None, **overrides: Any) -> Any:
        body = b"" if data is None else json.dumps(data).encode()
        headers = self.headers(method, path, body, **overrides)
        # Inside a test's transaction nothing commits: run the on-commit hooks (the code
        # emails) as a real commit would, right after the request.
        with TestCase.captureOnCommitCallbacks(execute=True):
            return self.http.generic(
                method, path, body, content_type="application/json", headers=headers
            )

    def get(self, path: str, **overrides: Any) -> Any:
        return self.request("GET", path, **overrides)

    def post(self, path: str, data: Any = None, **overrides: Any) -> Any:
        return self.request("POST", path, data if data is not None else {}, **overrides)


@pytest.fixture(autouse=True)
def english_by_default() -> Iterator[None]:
    """A request to /ru/ leaves Russian active in the thread; reverse() would follow it."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def platform() -> tuple[ApiClient, str]:
    return api_client_create(name="marketplace")


@pytest.fixture
def api(platform: tuple[ApiClient, str]) -> SignedClient:
    client, secret = platform
    return SignedClient(client.client_id, secret)


@pytest.fixture
def make_customer() -> Callable[..., Customer]:
    counter = iter(range(1, 10_000))

    def make(email: str | None = None, **extra: Any) -> Customer:
        n = next(counter)
        return Customer.objects.create_user(
            email or f"customer{n}@example.com",
            "correct-horse-battery",
            full_name=extra.pop("full_name", f"Customer {n}"),
            **extra,
        )

    return make


@pytest.fixture
def make_account(make_customer: Callable[..., Customer]) -> Callable[..., Account]:
    def make(
        balance: int = 0,
        customer: Customer | None = None,
        link_to: ApiClient | None = None,
    ) -> Account:
        account = account_open(customer=customer or make_customer(), name="Current")
        if balance:
            deposit_create(account=account, amount=balance, created_by=None)
            account.refresh_from_db()
        if link_to is not None:
            AccountLink.objects.create(client=link_to, account=account)
        return account

    return make
