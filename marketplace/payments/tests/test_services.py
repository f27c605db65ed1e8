"""The payment services against a fake bank: every branch of the flow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import DatabaseError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from accounts.models import SettlementAccount
from conftest import db_snapshot
from deals.models import Deal
from paylib.outbox.models import Message
from paylib.outbox.services import sweep
from payments import confirmation, crypto, services
from payments.errors import BankUnreachable, CodeRejected, InsufficientBalance, PaymentError
from payments.models import Payment
from payments.settlement import payments_check_stuck
from users.models import User

from .conftest import FakePaymentBank, committed, confirm_committed

pytestmark = pytest.mark.django_db

WRONG = "000000"


def start(deal: Deal, buyer: User, account: SettlementAccount) -> Payment:
    return services.payment_start(deal=deal, buyer=buyer, account=account)


def test_not_enough_money_says_so_and_changes_nothing(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    bank.balances[buyer_account.number] = deal.amount - 1
    before = db_snapshot()
    with pytest.raises(InsufficientBalance, match=r"2,999\.99"):
        start(deal, buyer, buyer_account)
    assert db_snapshot() == before
    assert not Payment.objects.exists()
    assert bank.call_names() == ["balance"]


def test_start_asks_for_a_code_for_exactly_this_operation(
    deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
    settings: object,
) -> None:
    payment = start(deal, buyer, buyer_account)
    deal.refresh_from_db()
    assert payment.status == "awaiting_code"
    assert deal.status == "awaiting_code"
    _, request = bank.calls[-1]
    assert request["amount"] == deal.amount == 3_000_00
    assert [(p.account, p.amount) for p in request["payees"]] == [
        (payment.seller_number, deal.seller_net),
        (settings.PLATFORM_ACCOUNT, deal.commission_amount),  # type: ignore[attr-defined]
    ]
    assert deal.seller_net + deal.commission_amount == deal.amount


@pytest.mark.parametrize(("language", "words"), [("en", "Deal #{}: {}"), ("ru", "Сделка № {}: {}")])
def test_the_bank_shows_the_payer_the_deal_in_his_language_and_every_retry_says_the_same(
    deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
    language: str,
    words: str,
) -> None:
    User.objects.filter(pk=buyer.pk).update(language=language)
    buyer.refresh_from_db()
    payment = start(deal, buyer, buyer_account)
    expected = words.format(deal.pk, deal.offer_title)
    assert bank.calls[-1][1]["description"] == payment.description == expected
    # The buyer switches language before a retry: the request stays the very same.
    User.objects.filter(pk=buyer.pk).update(language="en" if language == "ru" else "ru")
    Payment.objects.filter(pk=payment.pk).update(status="requesting")
    services.payment_request_code(payment=Payment.objects.get(pk=payment.pk))
    assert bank.calls[-1][1]["description"] == expected


def test_double_click_on_pay_makes_one_payment(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    first = start(deal, buyer, buyer_account)
    second = start(deal, buyer, buyer_account)
    assert first.pk == second.pk
    assert Payment.objects.count() == 1
    assert bank.call_names().count("hold_request") == 1


def test_wrong_code_shows_attempts_left(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    with pytest.raises(CodeRejected, match="4 attempts left"):
        confirmation.payment_confirm(payment=payment, code=WRONG)
    payment.refresh_from_db()
    assert (payment.status, payment.attempts_left) == ("awaiting_code", 4)


def test_five_wrong_codes_end_the_payment_and_the_deal_can_be_paid_again(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    for _ in range(4):
        with pytest.raises(CodeRejected):
            confirmation.payment_confirm(payment=payment, code=WRONG)
    with pytest.raises(PaymentError, match="Too many wrong codes"):
        confirmation.payment_confirm(payment=payment, code=WRONG)
    payment.refresh_from_db()
    deal.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "operation_blocked")
    assert deal.status == "created"
    again = start(deal, buyer, buyer_account)
    assert again.pk != payment.pk
    assert again.status == "awaiting_code"


def test_right_code_pays_and_tells_both_parties(
    deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
    settings: object,
) -> None:
    payment = start(deal, buyer, buyer_account)
    confirm_committed(payment, bank.CODE)
    payment.refresh_from_db()
    deal.refresh_from_db()
    assert payment.status == "succeeded"
    assert deal.status == "held"
    assert bank.available(buyer_account.number) == 10_000_00 - deal.amount  # held
    assert bank.balances[buyer_account.number] == 10_000_00
    # The seller is paid only when the deal completes (deals' tests follow the money on).
    assert bank.balances.get(payment.seller_number, 0) == 0
    assert bank.balances.get(settings.PLATFORM_ACCOUNT, 0) == 0  # type: ignore[attr-defined]
    assert payment.hold_id in bank.holds
    assert sorted(m.to[0] for m in mail.outbox) == [buyer.email, deal.seller.email]
    assert [t.to_status for t in deal.transitions.order_by("at", "id")] == [
        "created",
        "awaiting_code",
        "processing",
        "held",
    ]


def test_key_is_stored_encrypted(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    confirmation.payment_confirm(payment=payment, code=bank.CODE)  # no commit: stays processing
    payment.refresh_from_db()
    key = bank.keys[payment.bank_operation_id]
    assert key not in payment.key_encrypted
    assert crypto.decrypt_key(payment.key_encrypted) == key


def test_double_submit_of_the_code_confirms_once(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    first = confirmation.payment_confirm(payment=payment, code=bank.CODE)
    stale = Payment.objects.get(pk=payment.pk)
    stale.status = "awaiting_code"  # the second request read the row before the first ended
    second = confirmation.payment_confirm(payment=stale, code=bank.CODE)
    assert first.pk == second.pk
    assert second.status == "processing"
    assert Payment.objects.get().status == "processing"


def test_money_spent_elsewhere_fails_the_payment_and_the_deal_is_payable_again(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    bank.balances[buyer_account.number] = 100  # spent between the code and the execution
    confirm_committed(payment, bank.CODE)
    payment.refresh_from_db()
    deal.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "insufficient_funds")
    assert deal.status == "payment_failed"
    bank.balances[buyer_account.number] = 10_000_00
    assert start(deal, buyer, buyer_account).status == "awaiting_code"


def test_bank_down_during_execution_is_retried_and_money_moves_once(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    bank.unavailable_executes = 2
    confirm_committed(payment, bank.CODE)
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert bank.call_names().count("hold_place") == 3
    assert bank.available(buyer_account.number) == 10_000_00 - deal.amount  # held
    assert bank.balances[buyer_account.number] == 10_000_00
    assert payment.bank_calls.filter(action="hold_place", outcome="unavailable").count() == 2


def test_bank_down_when_starting_leaves_a_payment_that_can_ask_again(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    from bank_client import BankUnavailable

    bank.fail_next = None
    original = bank.hold_request

    def down(**kwargs: object) -> object:
        raise BankUnavailable("down")

    bank.hold_request = down  # type: ignore[method-assign, assignment]
    with pytest.raises(BankUnreachable):
        start(deal, buyer, buyer_account)
    payment = Payment.objects.get()
    assert payment.status == "requesting"
    bank.hold_request = original  # type: ignore[method-assign]
    assert services.payment_request_code(payment=payment).status == "awaiting_code"


def test_periodic_check_settles_a_payment_the_worker_never_finished(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    confirmation.payment_confirm(payment=payment, code=bank.CODE)  # queued, never run
    payment.refresh_from_db()
    # The bank did execute it before the worker died.
    key = crypto.decrypt_key(payment.key_encrypted)
    bank.hold_place(
        operation_id=payment.bank_operation_id,
        key=key,
        payer_account=payment.payer_number,
        payees=[],
        amount=payment.amount,
    )
    Payment.objects.filter(pk=payment.pk).update(
        processing_since=timezone.now() - timedelta(minutes=10)
    )
    assert payments_check_stuck(older_than=timedelta(minutes=2)) == 1
    payment.refresh_from_db()
    deal.refresh_from_db()
    assert (payment.status, deal.status) == ("succeeded", "held")


def test_periodic_check_executes_a_confirmed_payment_that_was_never_sent(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    bank.unavailable_executes = 13  # more than the task's retries: it gives up
    confirm_committed(payment, bank.CODE)
    payment.refresh_from_db()
    assert payment.status == "processing"
    bank.unavailable_executes = 0
    Payment.objects.filter(pk=payment.pk).update(
        processing_since=timezone.now() - timedelta(minutes=10)
    )
    committed(lambda: payments_check_stuck(older_than=timedelta(minutes=2)))
    payment.refresh_from_db()
    assert payment.status == "succeeded"


def test_only_the_buyer_pays_from_his_own_linked_account(
    deal: Deal,
    buyer: User,
    seller: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
) -> None:
    seller_account = SettlementAccount.objects.get(user=seller)
    with pytest.raises(PaymentError):
        start(deal, seller, seller_account)
    with pytest.raises(PaymentError):
        start(deal, buyer, seller_account)
    assert not Payment.objects.exists()


def test_a_payment_left_confirming_by_a_dead_request_is_given_back(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    Payment.objects.filter(pk=payment.pk).update(
        status="confirming", updated_at=timezone.now() - timedelta(minutes=10)
    )
    assert payments_check_stuck(older_than=timedelta(minutes=2)) == 1
    payment.refresh_from_db()
    assert payment.status == "awaiting_code"
    assert confirmation.payment_confirm(payment=payment, code=bank.CODE).status == "processing"


def test_a_deal_cancelled_while_the_code_is_typed_is_never_charged(
    deal: Deal,
    buyer: User,
    seller: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
) -> None:
    from deals.services import deal_transition

    payment = start(deal, buyer, buyer_account)
    deal_transition(deal=deal, to="cancelled", actor=seller, role="seller", reason="sold out")
    with pytest.raises(PaymentError, match="deal was cancelled"):
        confirm_committed(payment, bank.CODE)
    payment.refresh_from_db()
    deal.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "deal_cancelled")
    assert deal.status == "cancelled"
    assert "operation_confirm" not in bank.call_names()  # the code never left
    assert "hold_place" not in bank.call_names()
    assert bank.balances[buyer_account.number] == 10_000_00


def test_a_deal_cancelled_while_the_bank_checks_the_code_is_never_charged(
    deal: Deal,
    buyer: User,
    seller: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
) -> None:
    from deals.services import deal_transition

    payment = start(deal, buyer, buyer_account)
    original = bank.operation_confirm

    def cancel_meanwhile(**kwargs: Any) -> Any:
        deal_transition(deal=deal, to="cancelled", actor=seller, role="seller")
        return original(**kwargs)

    bank.operation_confirm = cancel_meanwhile  # type: ignore[method-assign]
    confirm_committed(payment, bank.CODE)
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "deal_cancelled")
    assert payment.key_encrypted == ""
    assert "hold_place" not in bank.call_names()
    assert bank.balances[buyer_account.number] == 10_000_00


def test_the_paid_emails_survive_a_broker_outage_and_go_out_once(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    with mock.patch(
        "paylib.outbox.tasks.deliver_message.apply_async", side_effect=BrokerDown("down")
    ):
        confirm_committed(payment, bank.CODE)
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert mail.outbox == []
    assert sweep() == 3  # the paid emails, and the deal's opening told to the seller
    assert sweep() == 0
    paid = [m for m in mail.outbox if "is paid" in m.subject]
    assert sorted(m.to[0] for m in paid) == [buyer.email, deal.seller.email]


def test_a_paid_email_that_fails_is_retried_alone(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    # The deal's opening was told to the seller before: delivered, not this test's concern.
    Message.objects.filter(done_at__isnull=True).update(done_at=timezone.now())
    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(self: EmailBackend, messages: list[object]) -> int:
        calls["n"] += 1
        if calls["n"] == 2:  # the second email (the seller's) fails once
            raise DatabaseError("connection lost mid-render")
        return real_send(self, messages)  # type: ignore[arg-type]

    with mock.patch.object(EmailBackend, "send_messages", flaky):
        confirm_committed(payment, bank.CODE)
        assert [m.to[0] for m in mail.outbox] == [buyer.email]
        Message.objects.filter(done_at__isnull=True).update(due_at=timezone.now())
        assert sweep() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [buyer.email, deal.seller.email]
