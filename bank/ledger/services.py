"""Writes to the ledger. Every function here expects to run inside ``transaction.atomic``."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from customers.models import Customer
from paylib.accounts import make_account_number

from .errors import AccountBlocked, InsufficientFunds, UnbalancedPosting
from .models import Account, Entry, Posting

CASH_ACCOUNT_CODE = "cash"
_BALANCE_ACCOUNT = {"person": "40817", "company": "40702", "internal": "20202"}


@dataclass(frozen=True)
class Leg:
    """``amount`` kopecks to (positive) or from (negative) ``account_id``."""

    account_id: int
    amount: int


def accounts_lock(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock the accounts with SELECT FOR UPDATE, always in primary-key order.

    One global order means two postings over the same accounts queue up instead of
    deadlocking, whichever direction the money flows.
    """
    ids = sorted(set(account_ids))
    locked = Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    accounts = {account.pk: account for account in locked}
    if len(accounts) != len(ids):
        raise Account.DoesNotExist(f"accounts {set(ids) - set(accounts)} do not exist")
    return accounts


def posting_create(
    *,
    kind: str,
    description: str,
    legs: Sequence[Leg],
    created_by: Customer | None = None,
) -> Posting:
    """Post ``legs`` as one balanced movement, updating the cached balances.

    Locks the accounts itself. Raises :class:`InsufficientFunds` if a customer account's
    available balance (its balance less its pending holds) would go below zero, and
    :class:`AccountBlocked` if money would leave or enter a blocked account; in both cases
    nothing is written.
    """
    if len(legs) < 2 or sum(leg.amount for leg in legs) != 0:
        raise UnbalancedPosting("A posting needs two or more entries that sum to zero.")
    if any(leg.amount == 0 for leg in legs):
        raise UnbalancedPosting("An entry cannot be zero.")
    accounts = accounts_lock(leg.account_id for leg in legs)
    for leg in legs:
        account = accounts[leg.account_id]
        if account.kind == Account.Kind.CUSTOMER and not account.is_open:
            raise AccountBlocked(f"Account {account.number} is blocked.")
    # Apply the legs in memory first, then refuse before any write.
    balances = {pk: account.balance for pk, account in accounts.items()}
    entries: list[Entry] = []
    for leg in legs:
        balances[leg.account_id] += leg.amount
        entries.append(
            Entry(
                account_id=leg.account_id, amount=leg.amount, balance_after=balances[leg.account_id]
            )
        )
    for pk, balance in balances.items():
        # Held money is not available: a payment may spend only balance - held.
        if accounts[pk].kind == Account.Kind.CUSTOMER and balance - accounts[pk].held < 0:
            raise InsufficientFunds(f"Account {accounts[pk].number} has insufficient funds.")
    posting = Posting.objects.create(kind=kind, description=description, created_by=created_by)
    for entry in entries:
        entry.posting = posting
    Entry.objects.bulk_create(entries)
    for pk, balance in balances.items():
        account = accounts[pk]
        account.balance = balance
        account.save(update_fields=["balance"])
    return posting


def cash_account() -> Account:
    """The bank's own account that deposits are drawn from (its balance goes negative)."""
    account = Account.objects.filter(code=CASH_ACCOUNT_CODE).first()
    if account is None:
        account = account_open(customer=None, name="Cash", code=CASH_ACCOUNT_CODE)
    return account


def deposit_create(
    *, account: Account, amount: int, created_by: Customer | None, description: str = ""
) -> Posting:
    """Credit ``amount`` kopecks to a customer account from the bank's cash account."""
    if amount <= 0:
        raise UnbalancedPosting("A deposit must be positive.")
    with transaction.atomic():
        cash = cash_account()
        return posting_create(
            kind=Posting.Kind.DEPOSIT,
            description=description or "Deposit",
            legs=[Leg(cash.pk, -amount), Leg(account.pk, amount)],
            created_by=created_by,
        )


def account_open(
    *,
    customer: Customer | None,
    name: str = "",
    holder: str = "person",
    code: str | None = None,
    serial: int | None = None,
    attempts: int = 20,
) -> Account:
    """Open an account with a fresh valid number (random serial, retried on a clash).

    ``serial`` pins the number, for demo data that must look the same on every run.
    """
    kind = Account.Kind.INTERNAL if customer is None else Account.Kind.CUSTOMER
    balance_account = _BALANCE_ACCOUNT["internal" if customer is None else holder]
    for _attempt in range(attempts):
        number = make_account_number(
            bik=settings.BANK_BIK,
            balance_account=balance_account,
            currency="810",
            serial=secrets.randbelow(10**7) if serial is None else serial,
        )
        try:
            with transaction.atomic():
                return Account.objects.create(
                    number=number, kind=kind, customer=customer, name=name, code=code
                )
        except IntegrityError:
            if Account.objects.filter(number=number).exists():
                continue
            raise
    raise RuntimeError("Could not find a free account number.")
