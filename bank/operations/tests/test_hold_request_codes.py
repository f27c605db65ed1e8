"""A hold request's code: the email states the amount, the payees and until when the money is
held (in the customer's language), and the code vouches for that time too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from api.models import ApiClient
from api.tests.hold_helpers import request_hold
from conftest import SignedClient, keyed
from customers.models import Customer
from ledger.models import Account
from operations.models import Operation

from .helpers import last_code

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

#: 15 January 2027, 14:30 in Moscow.
UNTIL = datetime(2027, 1, 15, 11, 30, tzinfo=UTC)


@pytest.fixture
def parties(
    platform: tuple[ApiClient, str],
    make_account: Callable[..., Account],
    make_customer: Callable[..., Customer],
) -> Callable[[str], dict[str, Account]]:
    def make(language: str) -> dict[str, Account]:
        payer = make_customer(language=language, full_name="Ivan Petrov")
        return {
            "payer": make_account(balance=2_000_00, customer=payer, link_to=platform[0]),
            "seller": make_account(customer=make_customer(full_name="Olga Seller")),
            "platform": make_account(customer=make_customer(full_name="The Platform")),
        }

    return make


@pytest.fixture(autouse=True)
def before_the_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is 1 January 2027, so that the hold's date is two weeks ahead."""
    moment = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_the_email_states_the_amount_the_payees_and_until_when_in_english(
    api: SignedClient, parties: Callable[[str], dict[str, Account]]
) -> None:
    accounts = parties("en")
    response = request_hold(api, accounts, hold_until=UNTIL.isoformat())
    assert response.status_code == 201, response.content
    letter = mail.outbox[-1]
    assert letter.subject == f"{last_code()} is your code to hold 1,000.00 ₽"  # one line
    assert "Hold of 1,000.00\u00a0₽ on your account" in letter.body
    assert "held until the deal ends, at most until 15 January 2027, 14:30 (MSK)" in letter.body
    assert f"Olga Seller, {accounts['seller'].number}: 950.00\u00a0₽" in letter.body
    assert f"The Platform, {accounts['platform'].number}: 50.00\u00a0₽" in letter.body
    html = str(letter.alternatives[0][0])
    assert "at most until 15 January 2027, 14:30 (MSK)" in html


def test_the_email_in_russian(
    api: SignedClient, parties: Callable[[str], dict[str, Account]]
) -> None:
    accounts = parties("ru")
    request_hold(api, accounts, hold_until=UNTIL.isoformat())
    letter = mail.outbox[-1]
    assert letter.subject == f"{last_code()} — ваш код для удержания 1 000,00 ₽"  # one line
    assert "Удержание 1\u00a0000,00\u00a0₽ на вашем счёте" in letter.body
    assert (
        "Деньги будут удержаны до завершения сделки, но не дольше чем до "
        "15 января 2027, 14:30 (MSK)."
    ) in letter.body
    assert "тратить их до этого нельзя" in letter.body


def test_the_code_stops_matching_if_the_hold_time_changes(
    api: SignedClient, parties: Callable[[str], dict[str, Account]]
) -> None:
    accounts = parties("en")
    op = request_hold(api, accounts, hold_until=UNTIL.isoformat()).json()["id"]
    code = last_code()
    Operation.objects.filter(public_id=op).update(hold_until=UNTIL + timedelta(days=30))
    response = api.post(f"/api/v1/operations/{op}/confirm/", keyed({"code": code}))
    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_code")
    Operation.objects.filter(public_id=op).update(hold_until=UNTIL)
    confirmed = api.post(f"/api/v1/operations/{op}/confirm/", keyed({"code": code}))
    assert confirmed.status_code == 200
    assert confirmed.json()["operation"]["hold_until"].startswith("2027-01-15T14:30:00")


def test_a_resent_code_of_a_hold_request_says_the_same(
    api: SignedClient, parties: Callable[[str], dict[str, Account]]
) -> None:
    accounts = parties("en")
    op = request_hold(api, accounts, hold_until=UNTIL.isoformat()).json()["id"]
    Operation.objects.filter(public_id=op).update(code_sent_at=UNTIL - timedelta(days=20))
    assert api.post(f"/api/v1/operations/{op}/resend/", keyed()).status_code == 200
    assert len(mail.outbox) == 2
    assert "at most until 15 January 2027" in mail.outbox[-1].body
    assert mail.outbox[-1].subject.endswith("is your code to hold 1,000.00 ₽")
