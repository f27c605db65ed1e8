"""A fake bank that also takes payments, and a deal ready to be paid."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from django.test import TestCase
from django.utils import timezone

from accounts.models import SettlementAccount
from bank_client import BankError, BankRefused, BankUnavailable, Confirmation, OperationInfo, Payee
from conftest import FakeBank, account_number
from deals.models import Deal
from deals.services import deal_create
from offers.models import Offer
from users.models import User


class FakePaymentBank(FakeBank):
    """The parts of the bank's API that a payment uses, with balances in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.balances: dict[str, int] = {}
        self.keys: dict[str, str] = {}
        self.unavailable_executes = 0
        #: The next confirms never reach the bank / reach it but their answers are lost.
        self.unreachable_confirms = 0
        self.lost_confirm_answers = 0
        #: The bank's replay of a confirm with a known idempotency key; False: as before
        #: the replay, a repeat is refused with ``wrong_state``.
        self.replays = True
        self.confirm_answers: dict[str | None, Confirmation | BankError] = {}
        self._keys = itertools.count(1)

    def balance(self, *, account_number: str) -> Any:
        from bank_client import Balance

        self._record("balance", account_number=account_number)
        return Balance(account_number, self.balances.get(account_number, 0), "RUB")

    def payment_request(
        self,
        *,
        payer_account: str,
        payees: list[Payee],
        amount: int,
        description: str,
        idempotency_key: str,
    ) -> OperationInfo:
        self._record(
            "payment_request",
            payer=payer_account,
            payees=payees,
            amount=amount,
            key=idempotency_key,
        )
        if idempotency_key in self.by_key:
            return self.operations[self.by_key[idempotency_key]]
        if self.balances.get(payer_account, 0) < amount:
            raise BankRefused("insufficient_funds", "Not enough.", status=422)
        info = OperationInfo(
            id=f"op-{next(self._ids)}",
            kind="payment",
            status="awaiting_code",
            account=payer_account,
            amount=amount,
            payees=tuple(payees),
            description=description,
            code_expires_at=timezone.now() + timedelta(minutes=5),
            attempts_left=5,
            code_sends=1,
            failure_reason="",
            finished_at=None,
        )
        self.operations[info.id] = info
        self.by_key[idempotency_key] = info.id
        return info

    def operation_confirm(
        self, *, operation_id: str, code: str, idempotency_key: str | None = None
    ) -> Confirmation:
        """Like the bank: a repeat of a request (same idempotency key) gets its first answer."""
        self._record("operation_confirm", operation_id=operation_id, code=code, key=idempotency_key)
        if self.unreachable_confirms:  # the request never reaches the bank
            self.unreachable_confirms -= 1
            raise BankUnavailable("Timed out.")
        if idempotency_key in self.confirm_answers and self.replays:
            answer = self.confirm_answers[idempotency_key]
        else:
            answer = self._confirm(operation_id, code)
            if idempotency_key is not None:
                self.confirm_answers[idempotency_key] = answer
        if self.lost_confirm_answers or self.confirm_answer_lost:
            self.lost_confirm_answers = max(self.lost_confirm_answers - 1, 0)
            raise BankUnavailable("Timed out.")
        if isinstance(answer, BankError):
            raise answer
        return answer

    def _confirm(self, operation_id: str, code: str) -> Confirmation | BankError:
        try:
            info = self._check_code(operation_id, code)
        except BankError as error:
            return error
        key = f"key-{next(self._keys)}-{'x' * 40}"
        self.keys[operation_id] = key
        self.operations[operation_id] = replace(info, status="confirmed")
        return Confirmation(self.operations[operation_id], key)

    def operation_execute(
        self,
        *,
        operation_id: str,
        key: str,
        payer_account: str,
        payees: list[Payee],
        amount: int,
    ) -> OperationInfo:
        self._record("operation_execute", operation_id=operation_id, key=key)
        if self.unavailable_executes:
            self.unavailable_executes -= 1
            raise BankUnavailable("The bank is down.")
        info = self._operation(operation_id)
        if self.keys.get(operation_id) != key:
            raise BankRefused("invalid_key", "Wrong key.", status=403)
        if info.status in ("done", "failed"):
            return info
        if self.balances.get(payer_account, 0) < amount:
            info = replace(info, status="failed", failure_reason="insufficient_funds")
        else:
            self.balances[payer_account] -= amount
            for payee in payees:
                self.balances[payee.account] = self.balances.get(payee.account, 0) + payee.amount
            info = replace(info, status="done")
        self.operations[operation_id] = info
        return info


@pytest.fixture
def bank(monkeypatch: pytest.MonkeyPatch, settings: Any) -> FakePaymentBank:
    fake = FakePaymentBank()
    monkeypatch.setattr("banking.services.get_bank_client", lambda: fake)
    settings.PLATFORM_ACCOUNT = account_number()
    settings.PAYMENT_RETRY_BASE_DELAY = 0
    return fake


T = TypeVar("T")


def committed(work: Callable[[], T]) -> T:
    """Run ``work``, then its on-commit hooks (the eager Celery tasks) as a real commit would:
    each test runs inside a transaction that is never committed."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return work()


def confirm_committed(payment: Any, code: str) -> Any:
    """Confirm, then run the on-commit hooks (the eager Celery task) as a real commit would."""
    from payments import confirmation

    return committed(lambda: confirmation.payment_confirm(payment=payment, code=code))


@pytest.fixture
def buyer(make_user: Callable[..., User]) -> User:
    return make_user("buyer@example.com", name="Boris Buyer")


@pytest.fixture
def seller(make_user: Callable[..., User]) -> User:
    return make_user("seller@example.com", name="Sophia Seller")


@pytest.fixture
def buyer_account(
    buyer: User, bank: FakePaymentBank, make_linked_account: Callable[..., SettlementAccount]
) -> SettlementAccount:
    account = make_linked_account(buyer)
    bank.balances[account.number] = 10_000_00
    return account


@pytest.fixture
def deal(buyer: User, seller: User, make_offer: Callable[..., Offer]) -> Deal:
    offer = make_offer(seller, price=1_500_00, quantity_available=3)
    return deal_create(buyer=buyer, offer=offer, quantity=2)
