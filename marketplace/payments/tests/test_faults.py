"""Faults the system recovers from never answer 500: the broker down, the database failing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from celery.app.task import Task
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from accounts.models import SettlementAccount
from conftest import client_for, seed_reference_data
from deals.models import Deal
from payments.models import Payment
from payments.settlement import payments_check_stuck
from users.models import User

from .conftest import FakePaymentBank


@contextmanager
def broker_down() -> Iterator[mock.MagicMock]:
    """Every publish to the broker fails, as while Redis restarts."""
    with mock.patch.object(Task, "apply_async", side_effect=BrokerDown("Connection refused")) as m:
        yield m


@contextmanager
def failing(table: str, statement: str = "SELECT") -> Iterator[None]:
    """The database fails every ``statement`` on ``table``, as a connection that just died."""

    def fail(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if sql.startswith(statement) and f'"{table}"' in sql:
            raise OperationalError("terminating connection due to administrator command")
        return execute(sql, *args)

    with connection.execute_wrapper(fail):
        yield


def pay(client: Any, deal: Deal, account: SettlementAccount) -> Payment:
    response = client.post(reverse("payments:start", args=[deal.pk]), {"account": account.pk})
    assert response.status_code == 302
    return Payment.objects.get(deal=deal)


def periodic_check() -> int:
    Payment.objects.update(
        updated_at=timezone.now() - timedelta(minutes=10),
        processing_since=timezone.now() - timedelta(minutes=10),
    )
    return payments_check_stuck(older_than=timedelta(minutes=2))


class TestWithRealCommits:
    """Commits happen as in production, so the on-commit hooks run inside the request."""

    pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

    @pytest.fixture(autouse=True)
    def reference_data(self, transactional_db: None) -> None:
        seed_reference_data()

    def test_the_broker_down_when_the_code_is_confirmed_is_no_500(
        self, deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
    ) -> None:
        client = client_for(buyer)
        payment = pay(client, deal, buyer_account)
        with broker_down() as publish:
            response = client.post(reverse("payments:code", args=[payment.pk]), {"code": bank.CODE})
            assert response.status_code == 302
            assert response["Location"] == reverse("payments:status", args=[payment.pk])
            page = client.get(response["Location"])
            assert page.status_code == 200
            assert "being processed" in page.content.decode()
        assert publish.called  # the execution was due, and could not be queued
        payment.refresh_from_db()
        assert payment.status == "processing"
        assert periodic_check() == 1  # beat picks it up once the broker is back
        payment.refresh_from_db()
        assert payment.status == "succeeded"
        assert bank.available(buyer_account.number) == 10_000_00 - deal.amount  # held
        assert bank.balances[buyer_account.number] == 10_000_00

    def test_the_broker_and_the_bank_down_together_leave_the_code_check_to_the_periodic_check(
        self, deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
    ) -> None:
        client = client_for(buyer)
        payment = pay(client, deal, buyer_account)
        bank.lost_confirm_answers = 1
        with broker_down():
            response = client.post(reverse("payments:code", args=[payment.pk]), {"code": bank.CODE})
            assert response.status_code == 302
            page = client.get(response["Location"]).content.decode()
            assert "We are checking your code with the bank" in page
            status = client.get(reverse("payments:status-json", args=[payment.pk])).json()
            assert (status["status"], status["final"]) == ("confirming", False)
        # The same request again: the bank replays the key, and the execution follows.
        assert periodic_check() == 1
        payment.refresh_from_db()
        assert payment.status == "succeeded"
        assert bank.call_names().count("operation_confirm") == 2


pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> Payment:
    return pay(client_for(buyer), deal, buyer_account)


def test_status_polling_without_the_database_says_the_payment_is_being_processed(
    payment: Payment, buyer: User
) -> None:
    client = client_for(buyer)
    client.get("/")  # the session and the user are read before the database fails
    with failing("payments_payment"):
        polled = client.get(reverse("payments:status-json", args=[payment.pk]))
        page = client.get(reverse("payments:status", args=[payment.pk]))
    assert polled.status_code == 503
    assert polled["Retry-After"] == "5"
    assert polled.json() == {
        "status": "unknown",
        "status_label": "Your payment is being processed. This page updates by itself.",
        "final": False,
    }
    assert page.status_code == 503
    assert "being processed" in page.content.decode()
    assert "status.json" in page.content.decode()  # and it goes on polling


def test_the_bank_call_log_failing_on_pay_still_gets_the_buyer_to_the_code(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> None:
    client = client_for(buyer)
    with failing("banking_bankcall", statement="INSERT"):
        response = client.post(
            reverse("payments:start", args=[deal.pk]), {"account": buyer_account.pk}
        )
    payment = Payment.objects.get()
    assert response["Location"] == reverse("payments:code", args=[payment.pk])
    assert (payment.status, payment.bank_operation_id) == ("awaiting_code", "op-1")
