"""Reads on settlement accounts; a user only ever sees his own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from users.models import User

from .models import SettlementAccount


def user_has_linked_account(*, user: User) -> bool:
    return SettlementAccount.objects.filter(
        user=user, status=SettlementAccount.Status.LINKED
    ).exists()


def settlement_accounts_of(*, user: User) -> QuerySet[SettlementAccount]:
    return SettlementAccount.objects.filter(user=user)


def settlement_account_get_own(*, account_id: int, user: User) -> SettlementAccount:
    """The user's own account; anyone else's is a 404, as if it did not exist."""
    account = SettlementAccount.objects.filter(pk=account_id, user=user).first()
    if account is None:
        raise Http404
    return account


def payout_account_of(*, user: User) -> SettlementAccount | None:
    return SettlementAccount.objects.filter(user=user, is_default_payout=True).first()
