from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from accounts.models import SettlementAccount
from bank_client import Balance, BankClient, BankError, BankUnavailable
from banking.services import bank_session
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


def resend_wait(*, payment: Payment, now: datetime | None = None) -> int:
    """Seconds until the bank will send a new code for ``payment`` (0: it will now).

    The bank sends one at most every ``BANK_CODE_RESEND_INTERVAL`` seconds; when the last
    was sent is told by its expiry, ``BANK_CODE_TTL`` seconds after it.
    """
    if payment.code_expires_at is None:
        return 0
    sent_at = payment.code_expires_at - timedelta(seconds=settings.BANK_CODE_TTL)
    available_at = sent_at + timedelta(seconds=settings.BANK_CODE_RESEND_INTERVAL)
    left = (available_at - (now or timezone.now())).total_seconds()
    return max(math.ceil(left), 0)


def _balance(client: BankClient, *, number: str) -> Balance:
    return client.balance(account_number=number)


@dataclass(frozen=True)
class PayableAccount:
    account: SettlementAccount
    available: int | None  # kopecks; None when the bank could not say


def payable_accounts(*, user: User, with_balances: bool = True) -> list[PayableAccount]:
    """The user's linked accounts, each with its balance as the bank reports it now.

    The balance reads go into the bank-call log like every other call (one client for
    all of them).
    """
    accounts = list(
        SettlementAccount.objects.filter(user=user, status=SettlementAccount.Status.LINKED)
    )
    if not accounts or not with_balances:
        return [PayableAccount(a, None) for a in accounts]
    result = []
    reachable = True
    with bank_session() as bank:
        for account in accounts:
            available: int | None = None
            if reachable:
                try:
                    available = bank.call(
                        "balance", partial(_balance, number=account.number), account=account
                    ).available
                except BankUnavailable:
                    reachable = False  # one timeout is enough: show the others without
                except BankError:
                    available = None  # this account only: its balance is unavailable
            result.append(PayableAccount(account, available))
    return result
