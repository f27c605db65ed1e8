"""The payment pages: who may open them, what they show, and bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from accounts.models import SettlementAccount
from conftest import client_for
from deals.models import Deal
from payments import services
from payments.models import Payment
from users.models import User

from .conftest import FakePaymentBank

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> Payment:
    return services.payment_start(deal=deal, buyer=buyer, account=buyer_account)


def payment_urls(payment: Payment) -> list[tuple[str, str]]:
    return [
        ("get", reverse("payments:code", args=[payment.pk])),
        ("post", reverse("payments:resend", args=[payment.pk])),
        ("get", reverse("payments:status", args=[payment.pk])),
        ("get", reverse("payments:status-json", args=[payment.pk])),
    ]


def test_anonymous_is_sent_to_sign_in(payment: Payment) -> None:
    for method, url in [
        *payment_urls(payment),
        ("get", reverse("payments:start", args=[payment.deal_id])),
    ]:
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, url
        assert "/users/login/" in response["Location"]


@pytest.mark.parametrize("who", ["stranger", "seller", "staff"])
def test_anyone_but_the_buyer_gets_404(
    payment: Payment, who: str, make_user: Callable[..., User], seller: User
) -> None:
    user = {
        "stranger": lambda: make_user("stranger@example.com"),
        "seller": lambda: seller,
        "staff": lambda: make_user("boss@example.com", is_staff=True, is_superuser=True),
    }[who]()
    client = client_for(user)
    for method, url in [
        *payment_urls(payment),
        ("get", reverse("payments:start", args=[payment.deal_id])),
    ]:
        if who == "seller" and "deal" in url:
            continue
        assert getattr(client, method)(url).status_code == 404, (who, url)
    assert (
        client.post(reverse("payments:code", args=[payment.pk]), {"code": "123456"}).status_code
        == 404
    )
    payment.refresh_from_db()
    assert payment.status == "awaiting_code"


def test_seller_cannot_open_the_pay_page(deal: Deal, seller: User) -> None:
    assert client_for(seller).get(reverse("payments:start", args=[deal.pk])).status_code == 404


def test_choose_page_shows_each_account_with_its_balance(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    response = client_for(buyer).get(reverse("payments:start", args=[deal.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert buyer_account.number in body
    assert "10,000.00" in body
    assert "3,000.00" in body


def test_not_enough_money_is_a_form_error_and_creates_nothing(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    bank.balances[buyer_account.number] = 5_00
    response = client_for(buyer).post(
        reverse("payments:start", args=[deal.pk]), {"account": buyer_account.pk}
    )
    assert response.status_code == 400
    assert "the deal costs" in response.content.decode()
    assert not Payment.objects.exists()
    deal.refresh_from_db()
    assert deal.status == "created"


@pytest.mark.parametrize("account", ["", "abc", "999999"])
def test_bad_account_choice_is_a_form_error(
    deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
    account: str,
) -> None:
    response = client_for(buyer).post(
        reverse("payments:start", args=[deal.pk]), {"account": account}
    )
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_another_users_account_cannot_be_chosen(
    deal: Deal,
    buyer: User,
    buyer_account: SettlementAccount,
    bank: FakePaymentBank,
    seller: User,
) -> None:
    theirs = SettlementAccount.objects.get(user=seller)
    response = client_for(buyer).post(
        reverse("payments:start", args=[deal.pk]), {"account": theirs.pk}
    )
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_pay_then_code_then_status(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    client = client_for(buyer)
    response = client.post(reverse("payments:start", args=[deal.pk]), {"account": buyer_account.pk})
    payment = Payment.objects.get()
    assert response["Location"] == reverse("payments:code", args=[payment.pk])
    page = client.get(response["Location"]).content.decode()
    assert "3,000.00" in page
    assert "Sophia Seller" in page
    assert 'data-testid="attempts-left">5<' in page
    confirmed = client.post(reverse("payments:code", args=[payment.pk]), {"code": bank.CODE})
    assert confirmed["Location"] == reverse("payments:status", args=[payment.pk])
    status = client.get(reverse("payments:status-json", args=[payment.pk])).json()
    assert status["status"] == "processing"
    assert "being processed" in client.get(confirmed["Location"]).content.decode()


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "      "])
def test_malformed_code_is_refused_before_asking_the_bank(
    payment: Payment, buyer: User, bank: FakePaymentBank, code: str
) -> None:
    calls = len(bank.calls)
    response = client_for(buyer).post(reverse("payments:code", args=[payment.pk]), {"code": code})
    assert response.status_code == 400
    assert len(bank.calls) == calls
    payment.refresh_from_db()
    assert (payment.status, payment.attempts_left) == ("awaiting_code", 5)


def test_code_with_spaces_is_accepted(payment: Payment, buyer: User, bank: FakePaymentBank) -> None:
    response = client_for(buyer).post(
        reverse("payments:code", args=[payment.pk]), {"code": " 123 456 "}
    )
    assert response.status_code == 302


def test_wrong_code_shows_attempts_left(
    payment: Payment, buyer: User, bank: FakePaymentBank
) -> None:
    response = client_for(buyer).post(
        reverse("payments:code", args=[payment.pk]), {"code": "000000"}
    )
    assert response.status_code == 400
    assert "4 attempts left" in response.content.decode()


def test_double_click_on_pay_lands_on_the_same_payment(
    payment: Payment, buyer: User, buyer_account: SettlementAccount
) -> None:
    response = client_for(buyer).post(
        reverse("payments:start", args=[payment.deal_id]), {"account": buyer_account.pk}
    )
    assert response["Location"] == reverse("payments:code", args=[payment.pk])
    assert Payment.objects.count() == 1


def test_resend_renews_the_code(payment: Payment, buyer: User, bank: FakePaymentBank) -> None:
    response = client_for(buyer).post(reverse("payments:resend", args=[payment.pk]))
    assert response.status_code == 302
    assert bank.call_names()[-1] == "operation_resend"


def test_staff_see_payments_in_the_admin_without_the_key(
    payment: Payment, make_user: Callable[..., User], bank: FakePaymentBank
) -> None:
    staff = make_user("boss@example.com", is_staff=True, is_superuser=True)
    client = client_for(staff)
    assert client.get(reverse("admin:payments_payment_changelist")).status_code == 200
    page = client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert page.status_code == 200
    assert "key_encrypted" not in page.content.decode()
    response = client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "recheck_with_bank", "_selected_action": [payment.pk]},
    )
    assert response.status_code == 302
    assert bank.call_names()[-1] == "operation_get"


def test_the_bank_unreachable_after_pay_shows_the_real_reason(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    from bank_client import BankUnavailable

    bank.fail_on["hold_request"] = BankUnavailable("Timed out.")
    client = client_for(buyer)
    response = client.post(reverse("payments:start", args=[deal.pk]), {"account": buyer_account.pk})
    payment = Payment.objects.get()
    assert response["Location"] == reverse("payments:code", args=[payment.pk])
    page = client.get(response["Location"]).content.decode()
    assert "The bank cannot be reached right now. Nothing was charged" in page
    assert "cannot be paid now" not in page
    assert "Ask the bank for the code" in page
    assert client.post(reverse("payments:resend", args=[payment.pk])).status_code == 302
    payment.refresh_from_db()
    assert payment.status == "awaiting_code"  # asked again, with the same key: one operation
    assert bank.call_names().count("hold_request") == 2
    assert len(bank.operations) == 1


def test_the_code_page_tells_what_the_bank_said_about_a_code_checked_later(
    payment: Payment, buyer: User, bank: FakePaymentBank
) -> None:
    client = client_for(buyer)
    bank.unreachable_confirms = 1
    with TestCase.captureOnCommitCallbacks(execute=True):  # the retry task runs
        response = client.post(reverse("payments:code", args=[payment.pk]), {"code": "000000"})
    assert response["Location"] == reverse("payments:status", args=[payment.pk])
    status = client.get(reverse("payments:status", args=[payment.pk]))
    assert status["Location"] == reverse("payments:code", args=[payment.pk])  # polled, reloaded
    page = client.get(status["Location"]).content.decode()
    assert 'data-testid="code-note">The code is not right. 4 attempts left.<' in page


def test_the_status_page_says_the_code_is_being_checked(
    payment: Payment, buyer: User, bank: FakePaymentBank
) -> None:
    client = client_for(buyer)
    bank.unreachable_confirms = 1
    with TestCase.captureOnCommitCallbacks():  # no worker yet
        client.post(reverse("payments:code", args=[payment.pk]), {"code": bank.CODE})
    page = client.get(reverse("payments:status", args=[payment.pk])).content.decode()
    assert "We are checking your code with the bank" in page
    assert 'data-final="false"' in page


def test_the_code_page_of_a_cancelled_deal_changes_nothing_and_says_why(
    payment: Payment, buyer: User, seller: User
) -> None:
    from deals.services import deal_transition

    deal_transition(deal=payment.deal, to="cancelled", actor=seller, role="seller")
    response = client_for(buyer).get(reverse("payments:code", args=[payment.pk]), follow=True)
    assert "The deal was cancelled before the payment went through." in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == "awaiting_code"  # a GET writes nothing; the periodic check ends it


def test_too_many_wrong_codes_is_a_form_error_and_reaches_no_bank(
    payment: Payment, buyer: User, bank: FakePaymentBank, settings: object
) -> None:
    settings.CODE_GUESSES_PER_USER = 1  # type: ignore[attr-defined]
    client = client_for(buyer)
    client.post(reverse("payments:code", args=[payment.pk]), {"code": "000000"})
    calls = len(bank.calls)
    response = client.post(reverse("payments:code", args=[payment.pk]), {"code": bank.CODE})
    assert response.status_code == 400
    assert "no more codes are accepted until" in response.content.decode()
    assert len(bank.calls) == calls
