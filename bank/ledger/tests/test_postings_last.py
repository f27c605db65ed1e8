"""Postings written at the end of their block: the accounts locked once, last, in key order."""

from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ledger.errors import AccountBlocked, InsufficientFunds, PostingRefused
from ledger.models import Account, Entry, Posting
from ledger.selectors import ledger_violations
from ledger.services import Leg, accounts_lock, posting_create, postings_last

pytestmark = pytest.mark.django_db


def balances(*accounts: Account) -> list[int]:
    return [Account.objects.get(pk=a.pk).balance for a in accounts]


def test_the_accounts_are_written_when_the_block_ends(make_account: Callable[..., Account]) -> None:
    payer, seller, platform = make_account(balance=100_00), make_account(), make_account()
    with transaction.atomic():
        with postings_last():
            first = posting_create(
                kind="payment",
                description="one",
                legs=[Leg(payer.pk, -30_00), Leg(seller.pk, 28_50), Leg(platform.pk, 1_50)],
            )
            second = posting_create(
                kind="payment",
                description="two",
                legs=[Leg(payer.pk, -10_00), Leg(seller.pk, 9_50), Leg(platform.pk, 50)],
            )
            # The postings' rows exist (callers point at them); the accounts are untouched.
            assert Posting.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
            assert balances(payer, seller, platform) == [100_00, 0, 0]
            assert not Entry.objects.filter(posting__in=[first, second]).exists()
        assert balances(payer, seller, platform) == [60_00, 38_00, 2_00]
    chain = list(Entry.objects.filter(account=payer).order_by("id").values_list("balance_after"))
    assert chain == [(100_00,), (70_00,), (60_00,)]  # the deposit, then each posting in turn
    assert ledger_violations() == []


def test_the_accounts_are_locked_in_one_statement_after_everything_else(
    make_account: Callable[..., Account],
) -> None:
    payer, seller = make_account(balance=100_00), make_account()
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), postings_last():
        posting_create(
            kind="payment", description="t", legs=[Leg(payer.pk, -1_00), Leg(seller.pk, 1_00)]
        )
        Posting.objects.filter(pk=-1).update(description="later work of the caller")
    sql = [q["sql"] for q in queries.captured_queries]
    locks = [i for i, s in enumerate(sql) if "FOR NO KEY UPDATE" in s and "ledger_account" in s]
    later_work = next(i for i, s in enumerate(sql) if "later work of the caller" in s)
    assert len(locks) == 1
    assert locks[0] > later_work
    # After the lock: the entries and one update of every balance, nothing else.
    assert [s.split()[0] for s in sql[locks[0] + 1 :] if s.split()[0] != "RELEASE"] == [
        "INSERT",
        "UPDATE",
    ]


@pytest.mark.parametrize("blocked", [False, True])
def test_a_refusal_comes_at_the_end_and_the_transaction_is_undone(
    make_account: Callable[..., Account], blocked: bool
) -> None:
    payer, seller = make_account(balance=10_00), make_account()
    if blocked:
        Account.objects.filter(pk=seller.pk).update(status=Account.Status.BLOCKED)
    postings = Posting.objects.count()
    with pytest.raises(PostingRefused) as refused, transaction.atomic(), postings_last():
        posting_create(
            kind="payment",
            description="t",
            legs=[
                Leg(payer.pk, -5_00 if blocked else -10_01),
                Leg(seller.pk, 5_00 if blocked else 10_01),
            ],
        )
    assert isinstance(refused.value.error, AccountBlocked if blocked else InsufficientFunds)
    assert Posting.objects.count() == postings
    assert balances(payer, seller) == [10_00, 0]


def test_postings_are_checked_one_after_another_not_only_in_sum(
    make_account: Callable[..., Account],
) -> None:
    """The second posting would pay the first back, but the first overdraws on its own."""
    payer, other = make_account(balance=10_00), make_account(balance=50_00)

    def there_and_back() -> None:
        with transaction.atomic(), postings_last():
            for source, target in ((payer, other), (other, payer)):
                posting_create(
                    kind="payment",
                    description="t",
                    legs=[Leg(source.pk, -20_00), Leg(target.pk, 20_00)],
                )

    with pytest.raises(PostingRefused):
        there_and_back()
    assert balances(payer, other) == [10_00, 50_00]


def test_a_transaction_being_rolled_back_writes_nothing_at_the_end(
    make_account: Callable[..., Account],
) -> None:
    payer, seller = make_account(balance=10_00), make_account()
    with transaction.atomic(), postings_last():
        posting_create(
            kind="payment", description="t", legs=[Leg(payer.pk, -1_00), Leg(seller.pk, 1_00)]
        )
        transaction.set_rollback(True)
    assert balances(payer, seller) == [10_00, 0]


@pytest.mark.django_db(transaction=True)
def test_the_block_needs_a_transaction_and_does_not_nest() -> None:
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        postings_last().__enter__()
    with transaction.atomic(), postings_last(), pytest.raises(RuntimeError, match="do not nest"):
        postings_last().__enter__()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_row_naming_a_locked_account_is_written_without_waiting_for_its_lock(
    make_account: Callable[..., Account],
) -> None:
    """A ledger writer's lock must not block the foreign-key check of a row that points at
    the account (a hold's leg, a link): with FOR UPDATE a hold placed for one payer waited
    for the seller's lock while the seller's capture waited for that payer: a deadlock."""
    import threading

    from api.services import api_client_create
    from operations.models import AccountLink

    seller = make_account()
    client, _secret = api_client_create(name="another platform")
    locked, release = threading.Event(), threading.Event()

    def writer() -> None:
        with transaction.atomic():
            accounts_lock([seller.pk])
            locked.set()
            release.wait(timeout=30)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            AccountLink.objects.create(client=client, account=seller)  # its FK: KEY SHARE
    finally:
        release.set()
        thread.join()
    assert AccountLink.objects.filter(client=client, account=seller).exists()
