"""The one wrapper around the bank client: every call logged, no answer lost to the log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import OperationalError, connection

from accounts import services as accounts
from accounts.models import SettlementAccount
from bank_client import BankRefused, BankUnavailable
from banking.models import BankCall
from banking.services import bank_call
from conftest import FakeBank, account_number
from payments import services as payments
from payments.models import Payment
from payments.selectors import payable_accounts
from payments.tests.conftest import FakePaymentBank
from users.models import User

pytestmark = pytest.mark.django_db


@contextmanager
def log_writes_failing() -> Iterator[list[str]]:
    """The database refuses every INSERT into the bank-call log, as a dying connection would."""
    refused: list[str] = []

    def refuse(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if sql.startswith('INSERT INTO "banking_bankcall"'):
            refused.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, *args)

    with connection.execute_wrapper(refuse):
        yield refused


def calls() -> list[tuple[str, str, str]]:
    return list(BankCall.objects.values_list("action", "outcome", "bank_code"))


def test_account_link_calls_are_logged_with_the_user_and_the_number(
    user: User, fake_bank: FakeBank
) -> None:
    number = account_number()
    account = accounts.settlement_account_add(user=user, number=number)
    accounts.settlement_account_confirm(account=account, code=FakeBank.CODE)
    fake_bank.fail_next = BankRefused("account_not_available", "No.", status=422)
    with pytest.raises(Exception, match="cannot link"):
        accounts.settlement_account_add(user=user, number=account_number())
    assert calls() == [
        ("link_request", "ok", "awaiting_code"),
        ("link_confirm", "ok", "done"),
        ("link_request", "refused", "account_not_available"),
    ]
    first = BankCall.objects.order_by("id").first()
    assert first is not None
    assert (first.user_id, first.number, first.account_id) == (user.pk, number, account.pk)
    assert first.operation_id == account.bank_operation_id


def test_balance_reads_are_logged(
    buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    [shown] = payable_accounts(user=buyer)
    assert shown.available == 10_000_00
    assert calls() == [("balance", "ok", "")]
    assert BankCall.objects.get().number == buyer_account.number


def test_an_unreachable_bank_is_logged_as_such(user: User, fake_bank: FakeBank) -> None:
    fake_bank.fail_next = BankUnavailable("Timed out.")
    with pytest.raises(BankUnavailable):
        bank_call("status", lambda c: c.operation_get(operation_id="op-1"), user=user)
    assert calls() == [("status", "unavailable", "bank_unavailable")]


def test_an_unconfigured_bank_is_logged_as_unreachable(user: User) -> None:
    with pytest.raises(BankUnavailable, match="BANK_API"):
        bank_call("balance", lambda c: c.balance(account_number="1"), user=user)
    assert calls() == [("balance", "unavailable", "not_configured")]


def test_a_failing_log_never_loses_the_banks_answer_to_a_payment_request(
    deal: Any, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    with log_writes_failing() as refused:
        payment = payments.payment_start(deal=deal, buyer=buyer, account=buyer_account)
    assert len(refused) == 2  # the balance and the payment request
    payment.refresh_from_db()
    assert payment.status == "awaiting_code"
    assert payment.bank_operation_id == bank.by_key[payment.idempotency_key]
    assert Payment.objects.count() == 1
    assert not BankCall.objects.exists()


def test_a_failing_log_inside_a_transaction_leaves_it_usable(
    user: User, fake_bank: FakeBank
) -> None:
    from django.db import transaction

    fake_bank.linked.add("x")
    with transaction.atomic(), log_writes_failing():
        bank_call("link_revoke", lambda c: c.link_revoke(account_number="x"), user=user)
        assert User.objects.filter(pk=user.pk).exists()  # the transaction goes on
