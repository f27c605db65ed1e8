"""The code page says when the bank will send a new code, and counts down to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import SettlementAccount
from conftest import client_for
from deals.models import Deal
from payments import services
from payments.models import Payment
from payments.selectors import resend_wait
from payments.tests.conftest import FakePaymentBank
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> Payment:
    return services.payment_start(deal=deal, buyer=buyer, account=buyer_account)


def code_page(user: User, payment: Payment, prefix: str = "") -> str:
    response = client_for(user).get(prefix + reverse("payments:code", args=[payment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_wait_follows_the_banks_rules(payment: Payment, settings: object) -> None:
    settings.BANK_CODE_TTL = 300  # type: ignore[attr-defined]
    settings.BANK_CODE_RESEND_INTERVAL = 30  # type: ignore[attr-defined]
    assert payment.code_expires_at is not None
    sent = payment.code_expires_at - timedelta(seconds=300)
    assert resend_wait(payment=payment, now=sent) == 30
    assert resend_wait(payment=payment, now=sent + timedelta(seconds=29, milliseconds=1)) == 1
    assert resend_wait(payment=payment, now=sent + timedelta(seconds=30)) == 0
    assert resend_wait(payment=payment, now=sent + timedelta(hours=1)) == 0


def test_right_after_the_code_the_page_says_when_and_loads_the_countdown(
    payment: Payment, buyer: User
) -> None:
    html = code_page(buyer, payment)
    assert 'data-testid="resend-wait"' in html
    assert "You can ask for a new code from" in html
    assert 'data-resend-in="' in html
    assert "marketplace/resend-countdown" in html
    assert "<script>" not in html  # the CSP allows no inline script


def test_once_the_interval_has_passed_the_button_is_simply_there(
    payment: Payment, buyer: User
) -> None:
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        html = code_page(buyer, payment)
    assert 'data-testid="resend"' in html
    assert 'data-testid="resend-wait"' not in html
    assert "resend-countdown" not in html


def test_the_wait_in_russian(payment: Payment, buyer: User) -> None:
    html = code_page(buyer, payment, "/ru")
    assert "Новый код можно запросить" in html


def test_another_user_sees_no_code_page(payment: Payment, make_user: Callable[..., User]) -> None:
    stranger = make_user("stranger@example.com")
    response = client_for(stranger).get(reverse("payments:code", args=[payment.pk]))
    assert response.status_code == 404
