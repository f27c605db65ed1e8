"""Payments that can no longer finish end, so that neither the items nor the buyer are stuck."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import DatabaseError
from django.test import TestCase
from django.utils import timezone

from accounts.models import SettlementAccount
from deals.models import Deal
from deals.services import deal_transition
from deals.tasks import expire_unpaid_deals
from offers.models import Offer
from payments import confirmation, services
from payments.errors import PaymentError
from payments.models import Payment
from payments.tasks import end_payments_with_deals
from users.models import User

from .conftest import FakePaymentBank

pytestmark = pytest.mark.django_db


def start(deal: Deal, buyer: User, account: SettlementAccount) -> Payment:
    return services.payment_start(deal=deal, buyer=buyer, account=account)


def state(payment: Payment) -> tuple[str, str, str, int]:
    fresh = Payment.objects.select_related("deal__offer").get(pk=payment.pk)
    return (
        fresh.status,
        fresh.failure_reason,
        fresh.deal.status,
        fresh.deal.offer.quantity_available,
    )


def after_the_window(deal: Deal) -> time_machine.travel:
    return time_machine.travel(deal.expires_at + timedelta(seconds=1), tick=False)


def test_a_buyer_gone_from_the_code_page_frees_the_items_when_the_window_ends(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    assert state(payment) == ("awaiting_code", "", "awaiting_code", 1)
    with time_machine.travel(deal.expires_at - timedelta(seconds=1), tick=False):
        assert end_payments_with_deals() == 0
        assert expire_unpaid_deals() == 0
    with after_the_window(deal):
        assert expire_unpaid_deals() == 0  # not the deals' own sweep: it ends no payment
        assert end_payments_with_deals() == 1
    assert state(payment) == ("failed", "deal_expired", "expired", 3)
    assert Deal.objects.get().transitions.last().to_status == "expired"  # type: ignore[union-attr]


def test_the_deal_and_its_payment_expire_together_or_not_at_all(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    payment = start(deal, buyer, buyer_account)
    with (
        after_the_window(deal),
        mock.patch("offers.models.Offer.objects.filter", side_effect=DatabaseError("gone")),
        pytest.raises(DatabaseError),
    ):
        end_payments_with_deals()
    assert state(payment) == ("awaiting_code", "", "awaiting_code", 1)


@pytest.mark.parametrize("busy", ["confirming", "processing"])
def test_a_payment_being_confirmed_or_carried_out_is_left_to_finish(
    deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
    busy: str,
) -> None:
    payment = start(deal, buyer, buyer_account)
    bank.unreachable_confirms = 1 if busy == "confirming" else 0
    with TestCase.captureOnCommitCallbacks():  # no worker: it stays where the request left it
        confirmation.payment_confirm(payment=payment, code=bank.CODE)
    assert state(payment)[0] == busy
    with after_the_window(deal):
        assert end_payments_with_deals() == 0
    assert state(payment)[:3] == (busy, "", "awaiting_code" if busy == "confirming" else busy)


def test_a_payment_whose_deal_was_cancelled_at_the_code_page_ends(
    deal: Deal,
    buyer: User,
    seller: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
) -> None:
    payment = start(deal, buyer, buyer_account)
    deal_transition(deal=deal, to="cancelled", actor=seller, role="seller")
    assert end_payments_with_deals() == 1
    assert state(payment) == ("failed", "deal_cancelled", "cancelled", 3)


def test_when_the_bank_sends_no_more_codes_the_payment_ends_and_can_start_again(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    bank.max_sends = 2
    payment = start(deal, buyer, buyer_account)
    services.payment_resend(payment=payment)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):  # the last code expired
        with pytest.raises(PaymentError, match="expired"):
            confirmation.payment_confirm(payment=payment, code=bank.CODE)
        with pytest.raises(PaymentError, match="Pay again to get a new code"):
            services.payment_resend(payment=payment)
        assert state(payment) == ("failed", "resend_limit", "created", 1)
        again = start(Deal.objects.get(), buyer, buyer_account)
    assert again.pk != payment.pk
    assert again.status == "awaiting_code"
    assert confirmation.payment_confirm(payment=again, code=bank.CODE).status == "processing"


def test_the_offer_gets_its_items_back_once(
    deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
) -> None:
    start(deal, buyer, buyer_account)
    with after_the_window(deal):
        assert end_payments_with_deals() == 1
        assert end_payments_with_deals() == 0
        assert expire_unpaid_deals() == 0
    assert Offer.objects.get().quantity_available == 3
