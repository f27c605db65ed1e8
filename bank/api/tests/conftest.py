"""Fixtures of the API's tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.models import ApiClient
from ledger.models import Account


@pytest.fixture
def accounts(
    platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> dict[str, Account]:
    return {
        "payer": make_account(balance=1000_00, link_to=platform[0]),
        "seller": make_account(),
    }


@pytest.fixture
def parties(
    platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> dict[str, Account]:
    """A linked payer with 1,000.00, a seller and the platform's commission account."""
    return {
        "payer": make_account(balance=1000_00, link_to=platform[0]),
        "seller": make_account(),
        "platform": make_account(),
    }
