"""The retryable confirmation against the real bank: a pause longer than the client's timeout
no longer costs the buyer his payment.

The bank runs as a server process on its own PostgreSQL database with an SMTP inbox for its
code emails (``bank_client/tests/live_bank.py``); the marketplace side runs here, on the
test database, through its real bank client.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import TestCase
from django.utils import timezone

from accounts import services as accounts
from accounts.models import SettlementAccount
from bank_client import BankClient
from bank_client.tests import live_bank
from bank_client.tests.live_bank import BankServer, Customer, Inbox, ledger_balance, ledger_money
from banking.models import BankCall
from deals.actions import deal_confirm_receipt, deal_ship
from deals.services import deal_create
from offers.models import Offer
from payments import confirmation, services
from payments.models import Payment
from payments.settlement import payments_check_stuck
from users.models import User

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

PEOPLE = {"payer": 10_000_00, "seller": 0, "platform": 0}


class Bank:
    def __init__(self, server: BankServer, inbox: Inbox, customers: dict[str, Customer]) -> None:
        self.server = server
        self.inbox = inbox
        self.customers = customers

    def code(self, email: str, *, after: int) -> str:
        return self.inbox.code(email, after=after)

    def pause(self) -> None:
        assert self.server.process is not None
        os.kill(self.server.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.server.process is not None
        os.kill(self.server.process.pid, signal.SIGCONT)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Bank, dict[str, str]]]:
    with pytest.MonkeyPatch.context() as patch:
        # Its own database, beside the bank client's integration tests.
        patch.setattr(live_bank, "DB_NAME", f"{live_bank.DB_NAME}_payments")
        inbox = Inbox()
        inbox.start()
        var_dir = tmp_path_factory.mktemp("bank")
        live_bank.recreate_database()
        env = live_bank.bank_env(smtp_port=inbox.port, var_dir=var_dir)
        server = BankServer(env=env, log_path=var_dir / "bank.log")
        try:
            live_bank.manage(env, "migrate", "--no-input", "-v0")
            client_id, secret = live_bank.create_api_client(env)
            customers = live_bank.seed_customers(env, PEOPLE)
            server.start()
            config = {"url": server.url, "id": client_id, "secret": secret}
            yield Bank(server, inbox, customers), config
        finally:
            server.process and os.kill(server.process.pid, signal.SIGCONT)
            server.stop()
            inbox.stop()
            live_bank.drop_database()


@pytest.fixture
def bank(live: tuple[Bank, dict[str, str]], settings: Any) -> Bank:
    real, config = live
    settings.BANK_API_URL = config["url"]
    settings.BANK_API_CLIENT_ID = config["id"]
    settings.BANK_API_SECRET = config["secret"]
    # Short enough that the paused confirm gives up soon, long enough that no other call
    # times out on a loaded machine (the bank is a real server beside the whole test run).
    settings.BANK_API_TIMEOUT = 4.0
    settings.PLATFORM_ACCOUNT = real.customers["platform"].account
    settings.PAYMENT_RETRY_BASE_DELAY = 0
    return real


def linked(bank: Bank, user: User, customer: Customer) -> SettlementAccount:
    """Linked the way a user links it: the number, then the code from the owner's email."""
    sent = bank.inbox.count(customer.email)
    account = accounts.settlement_account_add(user=user, number=customer.account)
    code = bank.code(customer.email, after=sent)
    return accounts.settlement_account_confirm(account=account, code=code)


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the bank did not get there in time"
        time.sleep(0.1)


def test_a_confirm_that_times_out_is_retried_as_the_same_request_holds_once_and_pays_on_receipt(
    bank: Bank, make_user: Callable[..., User], make_offer: Callable[..., Offer]
) -> None:
    payer, seller_at_bank = bank.customers["payer"], bank.customers["seller"]
    buyer = make_user(payer.email)
    seller = make_user(seller_at_bank.email)
    SettlementAccount.objects.create(
        user=seller,
        number=seller_at_bank.account,
        status="linked",
        is_default_payout=True,
        linked_at=timezone.now(),
    )
    account = linked(bank, buyer, payer)
    deal = deal_create(buyer=buyer, offer=make_offer(seller, price=1_234_56), quantity=1)
    sent = bank.inbox.count(payer.email)
    payment = services.payment_start(deal=deal, buyer=buyer, account=account)
    code = bank.code(payer.email, after=sent)

    bank.pause()  # longer than the client's timeout
    try:
        with TestCase.captureOnCommitCallbacks() as queued:
            result = confirmation.payment_confirm(payment=payment, code=code)
        assert result.status == "confirming"  # not given back, not abandoned
    finally:
        bank.resume()
    # The bank takes the request it received while paused: it confirms, the answer is lost.
    with BankClient(bank.server.url, *_credentials()) as client:
        wait_until(
            lambda: (
                client.operation_get(operation_id=payment.bank_operation_id).status == "confirmed"
            )
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        for callback in queued:  # the retry task, then the execution it queues
            callback()
    payment.refresh_from_db()
    deal.refresh_from_db()
    assert (payment.status, deal.status) == ("succeeded", "held")
    confirms = BankCall.objects.filter(payment=payment, action="confirm").order_by("id")
    assert [c.outcome for c in confirms] == ["unavailable", "ok"]
    # Held, not paid: the buyer's money stays on his account, reserved; the seller has none.
    assert ledger_money(payer.account) == (10_000_00, 1_234_56)
    assert ledger_balance(seller_at_bank.account) == 0
    assert Payment.objects.get().code_sealed == ""
    assert payment.hold_id

    # Shipped, then received: the outbox captures the hold at the bank, once.
    deal_ship(deal=deal, seller=seller, method="in_person")
    with TestCase.captureOnCommitCallbacks(execute=True):
        deal_confirm_receipt(deal=deal, buyer=buyer)
    deal.refresh_from_db()
    assert (deal.status, deal.released_amount, deal.returned_amount) == ("completed", 1_234_56, 0)
    assert deal.released_at is not None
    assert ledger_money(payer.account) == (10_000_00 - 1_234_56, 0)
    assert ledger_balance(seller_at_bank.account) == payment.seller_net
    assert ledger_balance(bank.customers["platform"].account) == payment.commission
    assert BankCall.objects.filter(action="hold_capture", outcome="ok").count() == 1


def test_a_payment_left_requesting_is_asked_again_and_the_bank_finds_its_operation(
    bank: Bank, make_user: Callable[..., User], make_offer: Callable[..., Offer]
) -> None:
    """The bank answered the code request, recording its answer failed: the periodic check
    asks again with the same key and gets the same operation, whose emailed code pays."""
    payer, seller_at_bank = bank.customers["payer"], bank.customers["seller"]
    buyer = make_user(payer.email)
    seller = make_user(seller_at_bank.email)
    SettlementAccount.objects.create(
        user=seller,
        number=seller_at_bank.account,
        status="linked",
        is_default_payout=True,
        linked_at=timezone.now(),
    )
    account = linked(bank, buyer, payer)
    deal = deal_create(buyer=buyer, offer=make_offer(seller, price=10_00), quantity=1)
    sent = bank.inbox.count(payer.email)
    with (
        mock.patch.object(services, "payment_move", side_effect=DatabaseError("gone")),
        pytest.raises(DatabaseError),
    ):
        services.payment_start(deal=deal, buyer=buyer, account=account)
    payment = Payment.objects.get(deal=deal)
    assert (payment.status, payment.bank_operation_id) == ("requesting", "")
    first = BankCall.objects.get(payment=payment, action="hold_request")
    code = bank.code(payer.email, after=sent)
    Payment.objects.filter(pk=payment.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    assert payments_check_stuck(older_than=timedelta(minutes=2)) == 1
    payment.refresh_from_db()
    assert payment.status == "awaiting_code"
    assert payment.bank_operation_id == first.operation_id != ""
    # The first email's code confirms it: the bank issued no other (a new one would
    # have replaced it).
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = confirmation.payment_confirm(payment=payment, code=code)
    assert result.status in ("processing", "succeeded")


def _credentials() -> tuple[str, str]:
    from django.conf import settings

    return settings.BANK_API_CLIENT_ID, settings.BANK_API_SECRET
