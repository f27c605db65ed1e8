"""Writes to the ledger. Every function here expects to run inside ``transaction.atomic``."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from customers.models import Customer
from paylib.accounts import make_account_number

from .errors import (
    AccountBlocked,
    InsufficientFunds,
    LedgerError,
    PostingRefused,
    UnbalancedPosting,
)
from .models import Account, Entry, Posting

CASH_ACCOUNT_CODE = "cash"
_BALANCE_ACCOUNT = {"person": "40817", "company": "40702", "internal": "20202"}


@dataclass(frozen=True)
class Leg:
    """``amount`` kopecks to (positive) or from (negative) ``account_id``."""

    account_id: int
    amount: int


# What the ledger reads of a locked account: enough to check and write it, and to save it
# (the rest of the row is deferred and loaded if asked for).
_LOCKED_FIELDS = ("id", "number", "kind", "customer_id", "status", "balance", "held")


def accounts_lock(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock the accounts (SELECT FOR NO KEY UPDATE), always in primary-key order.

    One global order means two postings over the same accounts queue up instead of
    deadlocking, whichever direction the money flows. (One plain statement: the ORM's
    compilation of it cost more than the query on the hottest path of the bank.)
    """
    ids = sorted(set(account_ids))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in _LOCKED_FIELDS)
    # NO KEY UPDATE: a balance is not a key, and rows that only point at the account (a
    # hold's leg, a link) take KEY SHARE locks for their foreign keys, which FOR UPDATE would
    # block: a transaction that locked a payer and then writes a hold naming the seller would
    # wait for the seller's lock while the seller's writer waits for the payer: a deadlock.
    if connection.features.has_select_for_no_key_update:
        lock = " FOR NO KEY UPDATE"
    elif connection.features.has_select_for_update:
        lock = " FOR UPDATE"
    else:
        lock = ""  # SQLite: one writer at a time
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {quote(Account._meta.db_table)} "  # noqa: S608 - no input
            f"WHERE id IN ({marks}) ORDER BY id{lock}",
            ids,
        )
        rows = cursor.fetchall()
    accounts = {
        row[0]: Account.from_db(connection.alias, list(_LOCKED_FIELDS), row) for row in rows
    }
    if len(accounts) != len(ids):
        raise Account.DoesNotExist(f"accounts {set(ids) - set(accounts)} do not exist")
    return accounts


@dataclass(frozen=True)
class _Movement:
    """What one posting does to the accounts: its legs, and held money it releases."""

    legs: tuple[Leg, ...]
    release: tuple[tuple[int, int], ...]

    def account_ids(self) -> set[int]:
        return {leg.account_id for leg in self.legs} | {pk for pk, _amount in self.release}


# The postings of the current ``postings_last`` block, each with its movement; None outside.
_pending: ContextVar[list[tuple[Posting, _Movement]] | None] = ContextVar(
    "ledger_postings_last", default=None
)


def posting_create(
    *,
    kind: str,
    description: str,
    legs: Sequence[Leg],
    created_by: Customer | None = None,
    release: Mapping[int, int] | None = None,
) -> Posting:
    """Post ``legs`` as one balanced movement, updating the cached balances.

    ``release`` maps accounts to held money (``Account.held``) that this posting frees, in
    the same write: a captured hold's reservation ends as its money moves.

    Locks the accounts itself. Raises :class:`InsufficientFunds` if a customer account's
    available balance (its balance less its pending holds) would go below zero, and
    :class:`AccountBlocked` if money would leave or enter a blocked account; in both cases
    nothing is written. Inside :func:`postings_last` the posting's row is written now and
    the rest when the block ends.
    """
    if len(legs) < 2 or sum(leg.amount for leg in legs) != 0:
        raise UnbalancedPosting("A posting needs two or more entries that sum to zero.")
    if any(leg.amount == 0 for leg in legs):
        raise UnbalancedPosting("An entry cannot be zero.")
    movement = _Movement(tuple(legs), tuple(sorted((release or {}).items())))
    pending = _pending.get()
    if pending is None:
        accounts = _locked_and_checked([movement])
        posting = _posting_insert(kind=kind, description=description, created_by=created_by)
        _write([(posting, movement)], accounts)
        return posting
    posting = _posting_insert(kind=kind, description=description, created_by=created_by)
    pending.append((posting, movement))
    return posting


@contextmanager
def postings_last() -> Iterator[None]:
    """Write the block's postings to the accounts at its end, all at once.

    For a transaction whose other work does not depend on the accounts' rows: an API
    request that moves money. Inside the block ``posting_create`` inserts the posting's row
    and keeps its movement; when the block ends, the accounts of every such posting are
    locked together in primary-key order, checked, and their entries and balances written.
    An account that every payment credits (the platform's commission, a busy seller's) is
    then locked from those writes to the commit, not from the first posting on, and the
    accounts are still locked in one global order. Exit the block as the last work of the
    transaction.

    The price: a refusal (insufficient funds, a blocked account) comes at the end, as
    :class:`PostingRefused`, after the caller did its work as if the posting stood. The
    caller then rolls the whole transaction back and does the work again without this
    block, where ``posting_create`` refuses at once, as everywhere else. Refusals are rare,
    so the common path pays for none of this. A posting made inside a savepoint that is
    rolled back must not be left in the block (its entries would name a posting that is
    gone, and the commit fails on the foreign key: nothing half-done, but an error).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("postings_last() must run inside transaction.atomic().")
    if _pending.get() is not None:
        raise RuntimeError("postings_last() blocks do not nest.")
    token = _pending.set([])
    try:
        yield
        made = _pending.get() or []
    finally:
        _pending.reset(token)
    if made and not transaction.get_rollback():  # a transaction being undone writes nothing
        try:
            accounts = _locked_and_checked([movement for _posting, movement in made])
        except LedgerError as error:
            raise PostingRefused(error) from error
        _write(made, accounts)


def _locked_and_checked(movements: Sequence[_Movement]) -> dict[int, Account]:
    """The movements' accounts locked in key order and changed in memory, one movement
    after another; raises before anything is written if one is refused."""
    accounts = accounts_lock(set().union(*(m.account_ids() for m in movements)))
    for movement in movements:
        for leg in movement.legs:
            account = accounts[leg.account_id]
            if account.kind == Account.Kind.CUSTOMER and not account.is_open:
                raise AccountBlocked(f"Account {account.number} is blocked.")
        for pk, amount in movement.release:
            accounts[pk].held -= amount
        for leg in movement.legs:
            accounts[leg.account_id].balance += leg.amount
        for pk in movement.account_ids():
            account = accounts[pk]
            # Held money is not available: a payment may spend only balance - held.
            if account.kind == Account.Kind.CUSTOMER and account.balance - account.held < 0:
                raise InsufficientFunds(f"Account {account.number} has insufficient funds.")
    return accounts


def _write(made: Sequence[tuple[Posting, _Movement]], accounts: dict[int, Account]) -> None:
    """The entries of the checked postings, with their running balances, and the accounts'
    new balances: two statements, whatever the number of postings and accounts."""
    running = {pk: account.balance for pk, account in accounts.items()}
    for _posting, movement in made:
        for leg in movement.legs:
            running[leg.account_id] -= leg.amount
    entries: list[Entry] = []
    for posting, movement in made:
        for leg in movement.legs:
            running[leg.account_id] += leg.amount
            entries.append(
                Entry(
                    posting=posting,
                    account_id=leg.account_id,
                    amount=leg.amount,
                    balance_after=running[leg.account_id],
                )
            )
    _entries_insert(entries)
    _balances_update(accounts.values())


# The ledger's three writes, each one plain statement (portable to SQLite): measured, the
# ORM's building of them cost several times their execution.


def _posting_insert(*, kind: str, description: str, created_by: Customer | None) -> Posting:
    created_at = timezone.now()
    stamp = Posting._meta.get_field("created_at").get_db_prep_save(created_at, connection)
    table = connection.ops.quote_name(Posting._meta.db_table)
    by = created_by.pk if created_by is not None else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, description, created_at, created_by_id) "  # noqa: S608
            "VALUES (%s, %s, %s, %s) RETURNING id",
            [kind, description, stamp, by],
        )
        (pk,) = cursor.fetchone()
    fields = ["id", "kind", "description", "created_at", "created_by_id"]
    return Posting.from_db(connection.alias, fields, [pk, kind, description, created_at, by])


def _entries_insert(entries: Sequence[Entry]) -> None:
    table = connection.ops.quote_name(Entry._meta.db_table)
    marks = ", ".join(["(%s, %s, %s, %s)"] * len(entries))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (posting_id, account_id, amount, balance_after) "  # noqa: S608
            f"VALUES {marks}",
            [v for e in entries for v in (e.posting_id, e.account_id, e.amount, e.balance_after)],
        )


def _balances_update(accounts: Iterable[Account]) -> None:
    """One UPDATE of the accounts' balances and held money from a list of rows (on
    PostgreSQL and SQLite alike); ``bulk_update`` builds a CASE per column and costs
    several times the statement's own time in Python."""
    rows = [(account.pk, account.balance, account.held) for account in accounts]
    values = " UNION ALL ".join(["SELECT %s AS id, %s AS balance, %s AS held"] * len(rows))
    table = connection.ops.quote_name(Account._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET balance = v.balance, held = v.held "  # noqa: S608 - no input
            f"FROM ({values}) AS v WHERE {table}.id = v.id",
            [value for row in rows for value in row],
        )


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
