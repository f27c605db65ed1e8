"""Random sequences of deposits, payments, holds, captures, voids, expiries and refunds
across several accounts, checked after every step against a model and the ledger's own
invariants (and, on PostgreSQL, its triggers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from api.models import ApiClient
from customers.models import Customer
from holds import services
from holds.errors import HoldError
from holds.models import Hold
from holds.selectors import hold_violations
from holds.split import split_proportionally
from ledger.errors import InsufficientFunds
from ledger.models import Account, Entry
from ledger.selectors import ledger_violations
from ledger.services import Leg, account_open, deposit_create, posting_create

pytestmark = pytest.mark.django_db

ACCOUNTS = 4
amounts = st.integers(min_value=1, max_value=300_00)


class Ledger(RuleBasedStateMachine):
    """The model: each account's balance and held amount, each hold's parts."""

    holds = Bundle("holds")
    captured = Bundle("captured")

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.client = ApiClient.objects.create(
            name=f"platform-{id(self)}", client_id=f"cl_{id(self)}", secret_hash="-"
        )
        self.accounts: list[Account] = []
        for i in range(ACCOUNTS):
            owner = Customer.objects.create_user(
                f"p{i}-{id(self)}@example.com", "pw", full_name=f"Person {i}"
            )
            self.accounts.append(account_open(customer=owner))
        self.balance = [0] * ACCOUNTS
        self.held = [0] * ACCOUNTS
        self.parts: dict[int, tuple[int, list[tuple[int, int]]]] = {}  # hold: payer, payees
        self.left: dict[int, list[tuple[int, int]]] = {}  # captured hold: payee, refundable

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def available(self, i: int) -> int:
        return self.balance[i] - self.held[i]

    @rule(i=st.integers(0, ACCOUNTS - 1), amount=amounts)
    def deposit(self, i: int, amount: int) -> None:
        deposit_create(account=self.accounts[i], amount=amount, created_by=None)
        self.balance[i] += amount

    @rule(i=st.integers(0, ACCOUNTS - 1), j=st.integers(0, ACCOUNTS - 1), amount=amounts)
    def pay(self, i: int, j: int, amount: int) -> None:
        if i == j:
            return
        legs = [Leg(self.accounts[i].pk, -amount), Leg(self.accounts[j].pk, amount)]
        try:
            with transaction.atomic():
                posting_create(kind="payment", description="pay", legs=legs)
        except InsufficientFunds:
            assert self.available(i) < amount
            return
        assert self.available(i) >= amount
        self.balance[i] -= amount
        self.balance[j] += amount

    @rule(
        target=holds,
        i=st.integers(0, ACCOUNTS - 1),
        payees=st.lists(st.tuples(st.integers(0, ACCOUNTS - 1), amounts), min_size=1, max_size=3),
    )
    def place(self, i: int, payees: list[tuple[int, int]]) -> Any:
        payees = [(j, a) for j, a in payees if j != i]
        if not payees:
            return -1
        amount = sum(a for _, a in payees)
        try:
            hold = services.hold_place(
                client=self.client,
                account_id=self.accounts[i].pk,
                payees=[services.Payee(self.accounts[j].pk, a) for j, a in payees],
                description="hold",
                expires_at=timezone.now() + timedelta(hours=1),
            )
        except InsufficientFunds:
            assert self.available(i) < amount
            return -1
        self.held[i] += amount
        self.parts[hold.pk] = (i, payees)
        return hold.pk

    @rule(target=captured, hold=consumes(holds), share=st.floats(0.0, 1.0))
    def capture(self, hold: int, share: float) -> Any:
        if hold not in self.parts:
            return -1
        payer, payees = self.parts.pop(hold)
        total = sum(a for _, a in payees)
        amount = max(1, round(total * share))  # a whole or partial capture
        services.hold_capture(hold_id=hold, amount=amount)
        self.held[payer] -= total
        self.balance[payer] -= amount
        shares = split_proportionally(amount, [a for _, a in payees])
        for (j, _), got in zip(payees, shares, strict=True):
            self.balance[j] += got
        self.left[hold] = [(j, got) for (j, _), got in zip(payees, shares, strict=True)]
        return hold

    @rule(hold=consumes(holds), expire=st.booleans())
    def release(self, hold: int, expire: bool) -> None:
        if hold not in self.parts:
            return
        payer, payees = self.parts.pop(hold)
        if expire:
            assert services.hold_expire(hold_id=hold, now=timezone.now() + timedelta(hours=2))
        else:
            services.hold_void(hold_id=hold)
        self.held[payer] -= sum(a for _, a in payees)
        for call in (services.hold_void, services.hold_capture):
            try:
                call(hold_id=hold)
            except HoldError:
                continue
            raise AssertionError("a resolved hold moved again")

    @rule(hold=captured, share=st.floats(0.0, 1.0))
    def refund(self, hold: int, share: float) -> None:
        if hold not in self.left or not sum(a for _, a in self.left[hold]):
            return
        payer = Hold.objects.get(pk=hold).account_id
        i = next(k for k, a in enumerate(self.accounts) if a.pk == payer)
        refundable = [a for _, a in self.left[hold]]
        amount = max(1, round(sum(refundable) * share))
        shares = split_proportionally(amount, refundable)
        covered = all(
            self.available(j) >= got for (j, _), got in zip(self.left[hold], shares, strict=True)
        )
        try:
            services.refund_create(hold_id=hold, amount=amount)
        except InsufficientFunds:
            assert not covered
            return
        assert covered
        self.balance[i] += amount
        for (j, _), got in zip(self.left[hold], shares, strict=True):
            self.balance[j] -= got
        left = zip(self.left[hold], shares, strict=True)
        self.left[hold] = [(j, a - got) for (j, a), got in left]

    @invariant()
    def books_are_sound(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # run the deferred triggers now
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        stored = Account.objects.in_bulk([a.pk for a in self.accounts])
        for i, account in enumerate(self.accounts):
            now = stored[account.pk]
            assert (now.balance, now.held) == (self.balance[i], self.held[i])
            assert now.balance - now.held >= 0
        assert sum(Entry.objects.values_list("amount", flat=True)) == 0
        assert set(Hold.objects.values_list("status", flat=True)) <= {
            "pending",
            "captured",
            "voided",
            "expired",
        }
        assert ledger_violations() == []
        assert hold_violations() == []


def test_random_histories_keep_the_books_exact() -> None:
    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
