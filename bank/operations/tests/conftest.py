"""Fixtures of the operations' tests."""

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
        "platform": make_account(),
    }
