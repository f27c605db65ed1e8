"""Postings: balanced, never overdrawing, guarded by PostgreSQL itself."""

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from ledger.errors import AccountBlocked, InsufficientFunds, UnbalancedPosting
from ledger.models import Account, Entry, Posting
from ledger.selectors import ledger_violations
from ledger.services import Leg, cash_account, deposit_create, posting_create

pytestmark = pytest.mark.django_db


def test_deposit_is_a_balanced_posting_from_cash(make_account: Callable[..., Account]) -> None:
    account = make_account()
    posting = deposit_create(account=account, amount=150_00, created_by=None)
    account.refresh_from_db()
    assert account.balance == 150_00
    amounts = sorted(posting.entries.values_list("amount", flat=True))
    assert amounts == [-150_00, 150_00]
    assert cash_account().balance == -150_00
    assert ledger_violations() == []


def test_transfer_moves_exact_amounts_and_records_running_balances(
    make_account: Callable[..., Account],
) -> None:
    payer, payee = make_account(balance=100_00), make_account(balance=5_00)
    with transaction.atomic():
        posting_create(
            kind="payment", description="t", legs=[Leg(payer.pk, -30_01), Leg(payee.pk, 30_01)]
        )
    payer.refresh_from_db()
    payee.refresh_from_db()
    assert (payer.balance, payee.balance) == (69_99, 35_01)
    assert Entry.objects.filter(account=payer).first().balance_after == 69_99  # type: ignore[union-attr]


def test_overdraft_is_refused_and_nothing_is_written(make_account: Callable[..., Account]) -> None:
    payer, payee = make_account(balance=10_00), make_account()
    postings = Posting.objects.count()
    with pytest.raises(InsufficientFunds), transaction.atomic():
        posting_create(
            kind="payment", description="t", legs=[Leg(payer.pk, -10_01), Leg(payee.pk, 10_01)]
        )
    payer.refresh_from_db()
    assert payer.balance == 10_00
    assert Posting.objects.count() == postings


def test_blocked_account_cannot_pay(make_account: Callable[..., Account]) -> None:
    payer, payee = make_account(balance=10_00), make_account()
    Account.objects.filter(pk=payer.pk).update(status=Account.Status.BLOCKED)
    with pytest.raises(AccountBlocked), transaction.atomic():
        posting_create(
            kind="payment", description="t", legs=[Leg(payer.pk, -1_00), Leg(payee.pk, 1_00)]
        )


@pytest.mark.parametrize("legs", [[(1, -5)], [(1, -5), (2, 4)], [(1, 0), (2, 0)]])
def test_unbalanced_legs_are_refused_before_touching_anything(legs: list[tuple[int, int]]) -> None:
    with pytest.raises(UnbalancedPosting):
        posting_create(kind="payment", description="t", legs=[Leg(a, m) for a, m in legs])


def test_database_refuses_a_negative_customer_balance(make_account: Callable[..., Account]) -> None:
    account = make_account()
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=-1)


@pytest.mark.postgres
def test_database_refuses_an_unbalanced_posting_at_commit(
    make_account: Callable[..., Account],
) -> None:
    account = make_account()
    with transaction.atomic():
        sid = transaction.savepoint()
        posting = Posting.objects.create(kind="adjustment", description="one-sided")
        Entry.objects.create(posting=posting, account=account, amount=100, balance_after=100)
        with pytest.raises(DatabaseError, match="unbalanced"), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred trigger now
        transaction.savepoint_rollback(sid)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET amount = amount + 1",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_posting SET description = 'changed'",
    ],
)
def test_database_refuses_to_rewrite_history(
    make_account: Callable[..., Account], statement: str
) -> None:
    make_account(balance=10_00)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def test_reconcile_passes_on_sound_books(
    make_account: Callable[..., Account], capsys: pytest.CaptureFixture[str]
) -> None:
    make_account(balance=10_00)
    call_command("reconcile")
    assert "consistent" in capsys.readouterr().out


def test_reconcile_fails_when_a_stored_balance_drifts(
    make_account: Callable[..., Account], capsys: pytest.CaptureFixture[str]
) -> None:
    account = make_account(balance=10_00)
    Account.objects.filter(pk=account.pk).update(balance=11_00)
    with pytest.raises(SystemExit) as exit_info:
        call_command("reconcile")
    assert exit_info.value.code == 1
    assert "balance_matches_entries" in capsys.readouterr().err
