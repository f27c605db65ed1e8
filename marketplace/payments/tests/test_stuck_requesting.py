"""A payment left ``requesting`` (the bank unreachable, or its answer not recorded) is asked
for its code again by the periodic check: the same operation, or an end if refused."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from accounts.models import SettlementAccount
from bank_client import BankRefused, BankUnavailable
from deals.models import Deal
from deals.services import deal_transition
from deals.state import Role
from payments import confirmation, services
from payments.errors import BankUnreachable
from payments.models import Payment
from payments.settlement import payments_check_stuck
from users.models import User

from .conftest import FakePaymentBank

pytestmark = pytest.mark.django_db


def left_requesting(
    deal: Deal, buyer: User, account: SettlementAccount, *, answered: bool, bank: FakePaymentBank
) -> Payment:
    """Start paying; the bank opens the operation (``answered``) or is not reached, and
    the payment is left requesting, as if the page died there."""
    if answered:
        # The bank answered; storing its answer failed (a database connection died).
        with (
            mock.patch.object(services, "payment_move", side_effect=DatabaseError("gone")),
            pytest.raises(DatabaseError),
        ):
            services.payment_start(deal=deal, buyer=buyer, account=account)
    else:
        bank.fail_on["hold_request"] = BankUnavailable("Timed out.")
        with pytest.raises(BankUnreachable):
            services.payment_start(deal=deal, buyer=buyer, account=account)
    payment = Payment.objects.get(deal=deal)
    assert (payment.status, payment.bank_operation_id) == ("requesting", "")
    return payment


def check_stuck(*, minutes_ago: int = 10) -> int:
    Payment.objects.update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
    return payments_check_stuck(older_than=timedelta(minutes=2))


@pytest.mark.parametrize("answered", [True, False], ids=["answer-not-recorded", "unreachable"])
def test_the_check_asks_again_and_the_buyer_can_pay(
    deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
    answered: bool,
) -> None:
    payment = left_requesting(deal, buyer, buyer_account, answered=answered, bank=bank)
    assert check_stuck() == 1
    payment.refresh_from_db()
    deal.refresh_from_db()
    assert (payment.status, deal.status) == ("awaiting_code", "awaiting_code")
    # One operation at the bank however often it was asked: one code, one email.
    assert len(bank.operations) == 1
    assert payment.bank_operation_id == next(iter(bank.operations))
    keys = {kw["key"] for name, kw in bank.calls if name == "hold_request"}
    assert keys == {payment.idempotency_key}
    assert confirmation.payment_confirm(payment=payment, code=bank.CODE).status == "processing"


def test_a_young_requesting_payment_is_left_alone(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = left_requesting(deal, buyer, buyer_account, answered=True, bank=bank)
    calls = len(bank.calls)
    assert check_stuck(minutes_ago=1) == 0
    assert len(bank.calls) == calls
    payment.refresh_from_db()
    assert payment.status == "requesting"


def test_a_refusal_ends_the_payment_and_the_deal_is_payable_again(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = left_requesting(deal, buyer, buyer_account, answered=False, bank=bank)
    bank.fail_on["hold_request"] = BankRefused("account_blocked", "Blocked.", status=422)
    assert check_stuck() == 1
    payment.refresh_from_db()
    deal.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "account_blocked")
    assert deal.status == "created"
    assert check_stuck() == 0  # ended: never asked again


def test_a_bank_still_unreachable_leaves_it_for_the_next_check(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = left_requesting(deal, buyer, buyer_account, answered=False, bank=bank)
    bank.fail_on["hold_request"] = BankUnavailable("Timed out.")
    assert check_stuck() == 0
    payment.refresh_from_db()
    assert payment.status == "requesting"
    assert check_stuck() == 1
    payment.refresh_from_db()
    assert payment.status == "awaiting_code"


def test_a_deal_cancelled_meanwhile_ends_the_payment_without_asking_for_a_code(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = left_requesting(deal, buyer, buyer_account, answered=False, bank=bank)
    deal_transition(deal=deal, to="cancelled", actor=buyer, role=Role.BUYER)
    calls = len(bank.calls)
    check_stuck()
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "deal_cancelled")
    assert len(bank.calls) == calls
