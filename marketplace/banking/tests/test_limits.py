"""Per-user budgets: wrong codes across every form, link emails, in a sliding window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import services as accounts
from accounts.models import SettlementAccount
from bank_client import BankRefused
from banking.limits import LimitReached
from banking.models import Attempt
from conftest import account_number
from deals.models import Deal
from deals.services import deal_create
from offers.models import Offer
from paylib.errors import ApplicationError
from payments import confirmation, services
from payments.errors import CodeRejected, PaymentError
from payments.models import Payment
from payments.tests.conftest import FakePaymentBank
from users.models import User

pytestmark = pytest.mark.django_db

WRONG = "000000"


def wrong_codes(payment: Payment, count: int) -> None:
    for _ in range(count):
        with pytest.raises(PaymentError):  # CodeRejected, or blocked on the fifth
            confirmation.payment_confirm(payment=payment, code=WRONG)
        payment.refresh_from_db()


def pay(deal: Deal, buyer: User, account: SettlementAccount) -> Payment:
    return services.payment_start(deal=deal, buyer=buyer, account=account)


@pytest.fixture
def another_deal(buyer: User, seller: User, make_offer: Callable[..., Offer]) -> Deal:
    return deal_create(buyer=buyer, offer=make_offer(seller, price=10_00), quantity=1)


def test_wrong_codes_add_up_across_resends_new_deals_and_link_attempts(
    deal: Deal,
    another_deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
) -> None:
    first = pay(deal, buyer, buyer_account)
    wrong_codes(first, 4)  # one attempt left at the bank
    services.payment_resend(payment=first)  # the bank's attempts start again: not ours
    wrong_codes(first, 2)
    link = accounts.settlement_account_add(user=buyer, number=account_number())
    for _ in range(3):  # the third blocks the link at the bank
        with pytest.raises(ApplicationError):
            accounts.settlement_account_confirm(account=link, code=WRONG)
    second = pay(another_deal, buyer, buyer_account)
    wrong_codes(second, 1)
    assert Attempt.objects.filter(user=buyer, kind="code").count() == 10
    sent = len(bank.calls)
    with pytest.raises(LimitReached, match="no more codes are accepted until"):
        confirmation.payment_confirm(payment=second, code=bank.CODE)
    with pytest.raises(LimitReached):
        accounts.settlement_account_confirm(account=link, code=bank.CODE)
    with pytest.raises(LimitReached):
        accounts.settlement_account_add(user=buyer, number=account_number())
    with pytest.raises(LimitReached):
        services.payment_resend(payment=second)
    assert len(bank.calls) == sent  # nothing reached the bank
    second.refresh_from_db()
    assert (second.status, second.attempts_left) == ("awaiting_code", 4)


def test_the_window_slides_and_right_codes_never_count(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    bank.max_sends = 10
    payment = pay(deal, buyer, buyer_account)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for hour in range(5):
            if hour:
                services.payment_resend(payment=payment)
            wrong_codes(payment, 2)
            clock.shift(timedelta(hours=1))
        assert Attempt.objects.filter(user=buyer).count() == 10
        with pytest.raises(LimitReached):
            confirmation.payment_confirm(payment=payment, code=bank.CODE)
        clock.move_to(start + timedelta(hours=24, seconds=1))  # the first two leave it
        services.payment_resend(payment=payment)  # the code of five hours ago has expired
        wrong_codes(payment, 1)
        assert Attempt.objects.filter(user=buyer).count() == 11  # 9 in the window
        assert confirmation.payment_confirm(payment=payment, code=bank.CODE).status in (
            "processing",
            "succeeded",
        )
    assert Attempt.objects.filter(user=buyer).count() == 11  # the right code is not counted


def test_an_expired_code_is_not_a_wrong_guess(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = pay(deal, buyer, buyer_account)
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=6)),
        pytest.raises(CodeRejected, match="expired"),
    ):
        confirmation.payment_confirm(payment=payment, code=WRONG)
    assert not Attempt.objects.exists()


def test_the_limit_is_a_setting(
    deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
    settings: object,
) -> None:
    settings.CODE_GUESSES_PER_USER = 2  # type: ignore[attr-defined]
    payment = pay(deal, buyer, buyer_account)
    wrong_codes(payment, 2)
    with pytest.raises(LimitReached):
        confirmation.payment_confirm(payment=payment, code=bank.CODE)


def test_the_banks_budget_for_the_account_is_told_in_words(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    lifted = "its owner can lift the block at the bank"
    bank.fail_on["hold_request"] = BankRefused("account_codes_blocked", "Too many.", status=429)
    with pytest.raises(PaymentError, match=lifted):
        pay(deal, buyer, buyer_account)
    assert Payment.objects.get().failure_reason == "account_codes_blocked"
    deal.refresh_from_db()
    assert deal.status == "created"  # payable again, from another account
    bank.fail_next = BankRefused("account_codes_blocked", "Too many.", status=429)
    with pytest.raises(ApplicationError, match=lifted):
        accounts.settlement_account_add(user=buyer, number=account_number())
    payment = pay(deal, buyer, buyer_account)
    bank.fail_on["operation_confirm"] = BankRefused(
        "account_codes_blocked", "Too many.", status=429
    )
    with pytest.raises(PaymentError, match=lifted):
        confirmation.payment_confirm(payment=payment, code=bank.CODE)
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "account_codes_blocked")
    assert not Attempt.objects.filter(kind="code").exists()  # the bank checked nothing


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    from conftest import seed_reference_data

    seed_reference_data()  # the flush after each transactional test removes it


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_codes_sent_at_once_cannot_overshoot_the_budget(
    reference_data: None,
    buyer: User,
    seller: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
    make_offer: Callable[..., Offer],
    settings: object,
) -> None:
    import threading

    from django.db import connection

    settings.CODE_GUESSES_PER_USER = 1  # type: ignore[attr-defined]
    deals = [
        deal_create(buyer=buyer, offer=make_offer(seller, price=10_00), quantity=1)
        for _ in range(4)
    ]
    payments = [pay(deal, buyer, buyer_account) for deal in deals]
    barrier = threading.Barrier(len(payments))
    refused: list[BaseException] = []
    checked: list[Payment] = []

    def submit(payment: Payment) -> None:
        try:
            barrier.wait()
            confirmation.payment_confirm(payment=payment, code=WRONG)
        except LimitReached as error:
            refused.append(error)
        except CodeRejected:
            checked.append(payment)  # the one that reached the bank
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in payments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(refused), len(checked)) == (3, 1)
    assert bank.call_names().count("operation_confirm") == 1
    assert Attempt.objects.count() == 1


def test_a_bank_that_takes_no_codes_from_the_platform_for_now_leaves_the_payment_waiting(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = pay(deal, buyer, buyer_account)
    bank.fail_on["operation_confirm"] = BankRefused(
        "client_codes_throttled", "Slow down.", extra={"retry_after": 30}, status=429
    )
    with pytest.raises(CodeRejected, match="taking no more of them from the marketplace"):
        confirmation.payment_confirm(payment=payment, code=bank.CODE)
    payment.refresh_from_db()
    assert payment.status == "awaiting_code"
    assert not Attempt.objects.exists()  # the bank checked nothing
    assert confirmation.payment_confirm(payment=payment, code=bank.CODE).status == "processing"


def test_a_payment_declined_by_the_accounts_owner_ends_uncharged(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = pay(deal, buyer, buyer_account)
    bank.fail_on["operation_confirm"] = BankRefused("operation_declined", "Declined.", status=409)
    with pytest.raises(PaymentError, match="declined the payment at the bank"):
        confirmation.payment_confirm(payment=payment, code=bank.CODE)
    payment.refresh_from_db()
    deal.refresh_from_db()
    assert (payment.status, payment.failure_reason, deal.status) == (
        "failed",
        "operation_declined",
        "created",
    )
