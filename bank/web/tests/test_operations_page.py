"""The operations page: the customer's own operations, waiting ones apart from finished ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiClient
from customers.models import Customer
from ledger.models import Account
from operations.models import Operation, OperationLeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_payment(platform: tuple[ApiClient, str]) -> Callable[..., Operation]:
    counter = iter(range(1, 1000))

    def make(payer: Account, payee: Account, amount: int, **fields: object) -> Operation:
        operation = Operation.objects.create(
            client=platform[0],
            idempotency_key=f"key-{next(counter)}",
            request_hash="0" * 64,
            kind=Operation.Kind.PAYMENT,
            account=payer,
            customer=payer.customer,
            amount=amount,
            description=fields.pop("description", "Deal 42"),
            **fields,
        )
        OperationLeg.objects.create(operation=operation, account=payee, amount=amount, position=0)
        return operation

    return make


def test_operations_page_separates_pending_from_finished(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    make_payment: Callable[..., Operation],
) -> None:
    payer, payee = make_account(balance=10_000_00), make_account()
    waiting = make_payment(
        payer, payee, 1_500_00, code_expires_at=timezone.now() + timedelta(minutes=5)
    )
    failed = make_payment(
        payer,
        payee,
        2_000_00,
        status=Operation.Status.FAILED,
        failure_reason="insufficient_funds",
        finished_at=timezone.now(),
    )
    response = signed_in(payer.customer).get(reverse("web:operations"))
    assert response.status_code == 200
    assert list(response.context["pending"]) == [waiting]
    assert list(response.context["page"]) == [failed]
    html = response.content.decode()
    assert "1,500.00\u00a0₽" in html
    assert "Awaiting confirmation code" in html
    assert "The balance did not cover the payment." in html
    assert payee.customer.full_name in html


def test_operations_page_hides_other_customers_operations(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    make_payment: Callable[..., Operation],
) -> None:
    payer, payee = make_account(balance=100_00), make_account()
    make_payment(payer, payee, 77_00, description="Someone else's deal")
    response = signed_in(payee.customer).get(reverse("web:operations"))
    assert response.status_code == 200
    assert "Someone else" not in response.content.decode()
    assert not response.context["pending"]
    assert not response.context["page"].object_list


def test_operations_page_has_no_n_plus_one(
    signed_in: Callable[[Customer], Client],
    make_account: Callable[..., Account],
    make_payment: Callable[..., Operation],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    payer, payee = make_account(balance=100_00), make_account()
    for _ in range(10):
        make_payment(payer, payee, 1_00)
        make_payment(payer, payee, 1_00, status=Operation.Status.FAILED)
    client = signed_in(payer.customer)
    with django_assert_max_num_queries(12):
        client.get(reverse("web:operations"))
