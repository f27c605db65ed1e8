"""A fake bank that also takes payments, and a deal ready to be paid."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from django.test import TestCase
from django.utils import timezone

from accounts.models import SettlementAccount
from bank_client import (
    BankError,
    BankRefused,
    BankUnavailable,
    Confirmation,
    HoldInfo,
    HoldPayee,
    OperationInfo,
    Payee,
    RefundInfo,
)
from bank_client.types import HoldRefund
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
        self.holds: dict[str, HoldInfo] = {}
        self.hold_answers: dict[str, str] = {}
        self.refund_answers: dict[str, RefundInfo] = {}
        self.lock = threading.RLock()

    def balance(self, *, account_number: str) -> Any:
        from bank_client import Balance

        self._record("balance", account_number=account_number)
        return Balance(account_number, self.available(account_number), "RUB")

    def hold_request(
        self,
        *,
        payer_account: str,
        payees: list[Payee],
        amount: int,
        description: str,
        hold_until: datetime,
        idempotency_key: str,
    ) -> OperationInfo:
        self._record(
            "hold_request",
            payer=payer_account,
            payees=payees,
            amount=amount,
            description=description,
            hold_until=hold_until,
            key=idempotency_key,
        )
        if idempotency_key in self.by_key:
            return self.operations[self.by_key[idempotency_key]]
        if self.available(payer_account) < amount:
            raise BankRefused("insufficient_funds", "Not enough.", status=422)
        info = OperationInfo(
            id=f"op-{next(self._ids)}",
            kind="hold",
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
            hold_until=hold_until,
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

    def available(self, account: str) -> int:
        held = sum(
            h.amount for h in self.holds.values() if h.account == account and h.status == "pending"
        )
        return self.balances.get(account, 0) - held

    def hold_place(
        self,
        *,
        operation_id: str,
        key: str,
        payer_account: str,
        payees: list[Payee],
        amount: int,
        idempotency_key: str | None = None,
    ) -> HoldInfo:
        self._record("hold_place", operation_id=operation_id, key=key)
        if self.unavailable_executes:
            self.unavailable_executes -= 1
            raise BankUnavailable("The bank is down.")
        with self.lock:
            info = self._operation(operation_id)
            if self.keys.get(operation_id) != key:
                raise BankRefused("invalid_key", "Wrong key.", status=403)
            if info.status == "done" and info.hold_id:
                return self.holds[info.hold_id]
            if info.status == "failed" or self.available(payer_account) < amount:
                self.operations[operation_id] = replace(
                    info, status="failed", failure_reason="insufficient_funds"
                )
                raise BankRefused("insufficient_funds", "Not enough.", status=422)
            hold = HoldInfo(
                id=f"hold-{next(self._ids)}",
                operation_id=operation_id,
                status="pending",
                account=payer_account,
                amount=amount,
                payees=tuple(HoldPayee(p.account, p.amount, 0, 0) for p in payees),
                description=info.description,
                expires_at=info.hold_until or timezone.now() + timedelta(days=50),
                created_at=timezone.now(),
                resolved_at=None,
                captured=0,
                released=0,
                refunded=0,
                refunds=(),
            )
            self.holds[hold.id] = hold
            self.operations[operation_id] = replace(info, status="done", hold_id=hold.id)
            return hold

    def _ended(self, hold: HoldInfo) -> BankRefused:
        code = {"captured": "already_captured", "voided": "already_voided"}.get(
            hold.status, "hold_expired"
        )
        return BankRefused(code, "The hold has ended.", status=409)

    def _replay(self, key: str | None) -> HoldInfo | None:
        if key is not None and key in self.hold_answers:
            return self.holds[self.hold_answers[key]]
        return None

    def hold_capture(
        self, *, hold_id: str, amount: int | None = None, idempotency_key: str | None = None
    ) -> HoldInfo:
        self._record("hold_capture", hold_id=hold_id, amount=amount, key=idempotency_key)
        with self.lock:
            if (replayed := self._replay(idempotency_key)) is not None:
                return replayed
            hold = self._hold(hold_id)
            if hold.status != "pending":
                raise self._ended(hold)
            take = hold.amount if amount is None else amount
            if take > hold.amount:
                raise BankRefused("exceeds_hold_amount", "Too much.", status=422)
            shares = split_in_proportion(take, [p.amount for p in hold.payees])
            self.balances[hold.account] = self.balances.get(hold.account, 0) - take
            payees = []
            for payee, share in zip(hold.payees, shares, strict=True):
                self.balances[payee.account] = self.balances.get(payee.account, 0) + share
                payees.append(replace(payee, captured=share))
            hold = replace(
                hold,
                status="captured",
                captured=take,
                released=hold.amount - take,
                payees=tuple(payees),
                resolved_at=timezone.now(),
            )
            return self._store(hold, idempotency_key)

    def hold_void(self, *, hold_id: str, idempotency_key: str | None = None) -> HoldInfo:
        self._record("hold_void", hold_id=hold_id, key=idempotency_key)
        with self.lock:
            if (replayed := self._replay(idempotency_key)) is not None:
                return replayed
            hold = self._hold(hold_id)
            if hold.status != "pending":
                raise self._ended(hold)
            hold = replace(hold, status="voided", released=hold.amount, resolved_at=timezone.now())
            return self._store(hold, idempotency_key)

    def hold_refund(self, *, hold_id: str, amount: int, idempotency_key: str) -> RefundInfo:
        self._record("hold_refund", hold_id=hold_id, amount=amount, key=idempotency_key)
        with self.lock:
            if idempotency_key in self.refund_answers:
                return self.refund_answers[idempotency_key]
            hold = self._hold(hold_id)
            if hold.status != "captured":
                raise BankRefused("not_captured", "Not captured.", status=409)
            if amount > hold.refundable:
                raise BankRefused("refund_exceeds_capture", "Too much.", status=422)
            left = [p.captured - p.refunded for p in hold.payees]
            shares = split_in_proportion(amount, left)
            for payee, share in zip(hold.payees, shares, strict=True):
                if self.balances.get(payee.account, 0) < share:
                    raise BankRefused("insufficient_funds", "Spent.", status=422)
            payees = []
            for payee, share in zip(hold.payees, shares, strict=True):
                self.balances[payee.account] -= share
                payees.append(replace(payee, refunded=payee.refunded + share))
            self.balances[hold.account] = self.balances.get(hold.account, 0) + amount
            refund = HoldRefund(f"refund-{next(self._ids)}", amount, timezone.now())
            hold = replace(
                hold,
                refunded=hold.refunded + amount,
                payees=tuple(payees),
                refunds=(*hold.refunds, refund),
            )
            self.holds[hold_id] = hold
            info = RefundInfo(refund.id, amount, refund.created_at, hold)
            self.refund_answers[idempotency_key] = info
            return info

    def hold_get(self, *, hold_id: str) -> HoldInfo:
        self._record("hold_get", hold_id=hold_id)
        return self._hold(hold_id)

    def expire(self, hold_id: str) -> None:
        """The hold's time is up at the bank."""
        hold = self.holds[hold_id]
        self.holds[hold_id] = replace(
            hold, status="expired", released=hold.amount, resolved_at=timezone.now()
        )

    def _hold(self, hold_id: str) -> HoldInfo:
        if hold_id not in self.holds:
            raise BankRefused("hold_not_found", "No such hold.", status=404)
        return self.holds[hold_id]

    def _store(self, hold: HoldInfo, key: str | None) -> HoldInfo:
        self.holds[hold.id] = hold
        if key is not None:
            self.hold_answers[key] = hold.id
        return hold


def split_in_proportion(amount: int, parts: list[int]) -> list[int]:
    """The bank's rule: shares rounded down, the kopecks left to the largest remainders."""
    total = sum(parts)
    if total == 0:
        return [0 for _ in parts]
    shares = [amount * p // total for p in parts]
    remainders = sorted(range(len(parts)), key=lambda i: (-(amount * parts[i] % total), i))
    for i in remainders[: amount - sum(shares)]:
        shares[i] += 1
    return shares


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
