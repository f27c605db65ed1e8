"""Postings: balanced, never overdrawing, guarded by PostgreSQL itself."""

from collections.abc import Callable
from typing import Any

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
        Account.objects.filter(pk=account.pk).update(balance=100)
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
    if connection.vendor == "postgresql":
        # Only someone who can switch the guard off gets here; reconcile still sees it.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # settle the pending checks
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "ALTER TABLE ledger_account DISABLE TRIGGER ledger_account_balance_matches"
            )
    Account.objects.filter(pk=account.pk).update(balance=11_00)
    with pytest.raises(SystemExit) as exit_info:
        call_command("reconcile")
    assert exit_info.value.code == 1
    assert "balance_matches_entries" in capsys.readouterr().err


def _at_commit(statement: str, *params: object) -> None:
    """Run ``statement`` and then check the deferred constraints, as a commit would."""
    with transaction.atomic():
        sid = transaction.savepoint()
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            try:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            finally:
                transaction.savepoint_rollback(sid)


@pytest.mark.postgres
def test_database_refuses_a_balance_that_its_entries_do_not_back(
    make_account: Callable[..., Account],
) -> None:
    account = make_account(balance=10_00)
    with pytest.raises(DatabaseError, match="entries end at 1000"):
        _at_commit("UPDATE ledger_account SET balance = balance + 100000 WHERE id = %s", account.pk)


@pytest.mark.postgres
def test_database_refuses_an_entry_that_breaks_the_running_balance(
    make_account: Callable[..., Account],
) -> None:
    payer, payee = make_account(balance=10_00), make_account()
    with transaction.atomic():
        sid = transaction.savepoint()
        posting = Posting.objects.create(kind="adjustment", description="forged")
        Entry.objects.bulk_create(
            [
                Entry(posting=posting, account=payer, amount=-1_00, balance_after=9_00),
                Entry(posting=posting, account=payee, amount=1_00, balance_after=5_00),  # not 1_00
            ]
        )
        Account.objects.filter(pk=payer.pk).update(balance=9_00)
        Account.objects.filter(pk=payee.pk).update(balance=5_00)
        with (
            pytest.raises(DatabaseError, match="breaks the running balance"),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.savepoint_rollback(sid)


def test_renaming_an_account_in_the_admin_keeps_a_concurrent_deposit(
    make_account: Callable[..., Account], client: Any
) -> None:
    from customers.models import Customer

    staff = Customer.objects.create_superuser("boss@bank.test", "pw", full_name="Boss")
    client.force_login(staff)
    account = make_account(balance=100_00)
    url = f"/admin/ledger/account/{account.pk}/change/"
    assert client.get(url).status_code == 200
    # A deposit commits while the form is open; the admin's object was read before it.
    import ledger.admin

    stale = Account.objects.get(pk=account.pk)
    deposit_create(account=account, amount=50_00, created_by=None)
    original = ledger.admin.AccountAdmin.get_object

    def get_stale(self: Any, request: Any, object_id: str, from_field: Any = None) -> Any:
        return stale

    ledger.admin.AccountAdmin.get_object = get_stale  # type: ignore[method-assign]
    try:
        response = client.post(url, {"name": "Savings"})
    finally:
        ledger.admin.AccountAdmin.get_object = original  # type: ignore[method-assign]
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.balance) == ("Savings", 150_00)
