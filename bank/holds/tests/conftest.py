from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from api.models import ApiClient
from holds.models import Hold
from holds.services import Payee, hold_place
from ledger.models import Account

HOUR = timedelta(hours=1)


@pytest.fixture
def place(platform: tuple[ApiClient, str]) -> Callable[..., Hold]:
    """Hold money on ``payer`` for (account, kopecks) payees, by default for an hour."""

    def place(payer: Account, *payees: tuple[Account, int], ttl: timedelta = HOUR) -> Hold:
        return hold_place(
            client=platform[0],
            account_id=payer.pk,
            payees=[Payee(account.pk, amount) for account, amount in payees],
            description="Deal #1: a samovar",
            expires_at=timezone.now() + ttl,
        )

    return place


def fresh(account: Account) -> Account:
    account.refresh_from_db()
    return account


def balances(*accounts: Account) -> list[tuple[int, int]]:
    """(balance, held) of each account, read anew."""
    return [(fresh(a).balance, a.held) for a in accounts]


@pytest.fixture
def parties(make_account: Callable[..., Account]) -> dict[str, Any]:
    return {
        "buyer": make_account(balance=1_000_00),
        "seller": make_account(),
        "platform": make_account(),
    }
