"""A confirmation the bank did not answer is retried as the very same request, never dropped."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone

from accounts.models import SettlementAccount
from banking.models import Attempt
from deals.models import Deal
from payments import confirmation, crypto, services
from payments.models import Payment
from payments.settlement import payments_check_stuck
from users.models import User

from .conftest import FakePaymentBank, committed, confirm_committed

pytestmark = pytest.mark.django_db

WRONG = "000000"


def start(deal: Deal, buyer: User, account: SettlementAccount) -> Payment:
    return services.payment_start(deal=deal, buyer=buyer, account=account)


def confirms(bank: FakePaymentBank) -> list[tuple[str, str]]:
    return [(kw["code"], kw["key"]) for name, kw in bank.calls if name == "operation_confirm"]


def check_stuck_later() -> int:
    """The periodic check, once the payment has waited long enough for it."""
    Payment.objects.update(updated_at=timezone.now() - timedelta(minutes=10))
    return committed(lambda: payments_check_stuck(older_than=timedelta(minutes=2)))


def test_a_timeout_leaves_the_payment_confirming_and_the_same_request_goes_again(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    bank.lost_confirm_answers = 1  # the bank confirms, its answer is lost on the way
    with TestCase.captureOnCommitCallbacks() as queued:
        result = confirmation.payment_confirm(payment=payment, code=bank.CODE)
    assert result.status == "confirming"
    stored = Payment.objects.get()
    assert stored.confirm_key
    assert stored.code_sealed
    assert bank.CODE not in stored.code_sealed
    assert crypto.open_code(stored.code_sealed) == bank.CODE
    assert len(queued) == 1  # the retry task
    committed(queued[0])
    stored.refresh_from_db()
    deal.refresh_from_db()
    assert (stored.status, deal.status) == ("succeeded", "held")
    assert confirms(bank) == [(bank.CODE, stored.confirm_key)] * 2  # the very same request
    assert bank.call_names().count("hold_place") == 1
    assert bank.available(buyer_account.number) == 10_000_00 - deal.amount  # held
    assert bank.balances[buyer_account.number] == 10_000_00
    assert stored.code_sealed == ""  # cleared once settled
    assert not Attempt.objects.exists()  # a right code does not count


def test_a_silent_bank_is_asked_again_with_backoff_and_then_by_the_periodic_check(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    bank.unreachable_confirms = 1 + 13  # the request, then every retry of the task
    confirm_committed(payment, bank.CODE)
    payment.refresh_from_db()
    assert payment.status == "confirming"  # given up by the task, not by the payment
    assert len(confirms(bank)) == 14
    assert check_stuck_later() == 1
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert len({key for _code, key in confirms(bank)}) == 1


def test_a_wrong_code_found_by_the_retry_brings_the_code_form_back(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    bank.unreachable_confirms = 1
    confirm_committed(payment, WRONG)
    payment.refresh_from_db()
    assert (payment.status, payment.code_refusal, payment.attempts_left) == (
        "awaiting_code",
        "invalid_code",
        4,
    )
    assert payment.code_sealed == ""
    assert Attempt.objects.count() == 1  # a wrong code counts
    assert confirmation.payment_confirm(payment=payment, code=bank.CODE).status == "processing"
    payment.refresh_from_db()
    assert payment.code_refusal == ""


def test_without_the_banks_replay_a_lost_answer_ends_the_payment_uncharged(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    bank.replays = False  # the bank before idempotent confirmations: a repeat is wrong_state
    payment = start(deal, buyer, buyer_account)
    bank.lost_confirm_answers = 1
    confirm_committed(payment, bank.CODE)
    payment.refresh_from_db()
    deal.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "confirmation_lost")
    assert deal.status == "created"
    assert bank.balances[buyer_account.number] == 10_000_00
    assert services.payment_start(deal=deal, buyer=buyer, account=buyer_account).pk != payment.pk


def test_past_the_seals_lifetime_the_operations_status_decides(
    deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
    settings: object,
) -> None:
    payment = start(deal, buyer, buyer_account)
    bank.unreachable_confirms = 1
    with TestCase.captureOnCommitCallbacks():  # the task is lost with the broker
        confirmation.payment_confirm(payment=payment, code=bank.CODE)
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.PAYMENT_CODE_SEAL_TTL + 1)
    ):  # type: ignore[attr-defined]
        assert check_stuck_later() == 1
    payment.refresh_from_db()
    # The bank never got the code: the buyer types it again.
    assert (payment.status, payment.code_sealed) == ("awaiting_code", "")
    assert bank.call_names()[-1] == "operation_get"
    assert not Attempt.objects.exists()


def test_a_payment_being_confirmed_takes_no_second_code(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    bank.unreachable_confirms = 1
    with TestCase.captureOnCommitCallbacks():
        confirmation.payment_confirm(payment=payment, code=bank.CODE)
    stale = Payment.objects.get(pk=payment.pk)
    stale.status = Payment.Status.AWAITING_CODE  # a second tab, read before the first submit
    assert confirmation.payment_confirm(payment=stale, code=WRONG).status == "confirming"
    assert len(confirms(bank)) == 1
    assert Attempt.objects.count() == 1
