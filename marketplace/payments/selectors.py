from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from accounts.models import SettlementAccount
from bank_client import BankError, get_bank_client
from deals.models import Deal
from users.models import User

from .models import Payment


def live_payment_of(*, deal: Deal) -> Payment | None:
    return Payment.objects.filter(deal=deal, status__in=Payment.LIVE).first()


def payment_get_for_buyer(*, payment_id: int, user: User) -> Payment:
    """The user's own payment; anyone else's, staff included, is a 404 here."""
    payment = (
        Payment.objects.select_related("deal", "deal__seller")
        .filter(pk=payment_id, buyer_id=user.pk)
        .first()
    )
    if payment is None:
        raise Http404
    return payment


@dataclass(frozen=True)
class PayableAccount:
    account: SettlementAccount
    available: int | None  # kopecks; None when the bank could not say


def payable_accounts(*, user: User, with_balances: bool = True) -> list[PayableAccount]:
    """The user's linked accounts, each with its balance as the bank reports it now."""
    accounts = list(
        SettlementAccount.objects.filter(user=user, status=SettlementAccount.Status.LINKED)
    )
    if not accounts or not with_balances:
        return [PayableAccount(a, None) for a in accounts]
    try:
        client = get_bank_client()
    except ImproperlyConfigured:  # no bank configured: show the accounts without balances
        return [PayableAccount(a, None) for a in accounts]
    result = []
    with client:
        for account in accounts:
            try:
                available: int | None = client.balance(account_number=account.number).available
            except BankError:
                available = None
            result.append(PayableAccount(account, available))
    return result
